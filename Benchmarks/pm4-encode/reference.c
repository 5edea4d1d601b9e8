/* C reference for the PM4 encoding benchmark: the KIQ bring-up stream and KIQ register access
 * written the way amdgpu builds them (vid.h PACKET3 and field macros, amdgpu_ring_write). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define PACKET3(op, n) ((3u << 30) | (((op) & 0xFF) << 8) | (((n) & 0x3FFF) << 16))
#define PACKET3_SET_RESOURCES 0xA0
#define PACKET3_MAP_QUEUES 0xA2
#define PACKET3_WRITE_DATA 0x37
#define PACKET3_COPY_DATA 0x40
#define PACKET3_MAP_QUEUES_NUM_QUEUES(x) ((x) << 29)
#define PACKET3_MAP_QUEUES_DOORBELL_OFFSET(x) ((x) << 2)
#define PACKET3_MAP_QUEUES_QUEUE(x) ((x) << 26)
#define PACKET3_MAP_QUEUES_PIPE(x) ((x) << 29)
#define PACKET3_MAP_QUEUES_ME(x) ((x) << 31)
#define WRITE_DATA_DST_SEL(x) ((x) << 8)
#define WR_ONE_ADDR (1 << 16)
#define WR_CONFIRM (1 << 20)

#define RING_DWORDS (1u << 18) /* the KIQ ring: 1 MiB */

struct ring {
  uint32_t *ring;
  uint64_t wptr, buf_mask, ptr_mask;
  int count_dw;
  unsigned errors;
};

static inline void amdgpu_ring_write(struct ring *ring, uint32_t v) {
  if (ring->count_dw <= 0) ring->errors++;
  ring->ring[ring->wptr++ & ring->buf_mask] = v;
  ring->wptr &= ring->ptr_mask;
  ring->count_dw--;
}

__attribute__((noinline)) void encode_stream(struct ring *ring, long packets) {
  amdgpu_ring_write(ring, PACKET3(PACKET3_SET_RESOURCES, 6));
  amdgpu_ring_write(ring, 0);
  amdgpu_ring_write(ring, 0x03030303);
  for (int i = 0; i < 5; i++) amdgpu_ring_write(ring, 0);
  for (int i = 0; i < 8; i++) {
    uint64_t mqd = 0x100000000ull + i * 0x1000, wptr = 0x200000000ull + i * 8;
    amdgpu_ring_write(ring, PACKET3(PACKET3_MAP_QUEUES, 5));
    amdgpu_ring_write(ring, PACKET3_MAP_QUEUES_NUM_QUEUES(1));
    amdgpu_ring_write(ring, PACKET3_MAP_QUEUES_DOORBELL_OFFSET(0x10 + i) | PACKET3_MAP_QUEUES_QUEUE(i / 4) |
                                PACKET3_MAP_QUEUES_PIPE(i % 4) | PACKET3_MAP_QUEUES_ME(0));
    amdgpu_ring_write(ring, (uint32_t)mqd);
    amdgpu_ring_write(ring, (uint32_t)(mqd >> 32));
    amdgpu_ring_write(ring, (uint32_t)wptr);
    amdgpu_ring_write(ring, (uint32_t)(wptr >> 32));
  }
  for (long i = 0; i < packets; i++) {
    uint32_t reg = 0xC040 + (uint32_t)(i & 0xFF);
    if ((i & 1) == 0) { /* gfx_v8_0_ring_emit_rreg */
      uint64_t slot = 0x400000000ull + (uint64_t)(i & 0xFF) * 32;
      amdgpu_ring_write(ring, PACKET3(PACKET3_COPY_DATA, 4));
      amdgpu_ring_write(ring, (0 << 0) | (5 << 8) | (1 << 20));
      amdgpu_ring_write(ring, reg);
      amdgpu_ring_write(ring, 0);
      amdgpu_ring_write(ring, (uint32_t)slot);
      amdgpu_ring_write(ring, (uint32_t)(slot >> 32));
    } else { /* gfx_v8_0_ring_emit_wreg on the KIQ */
      amdgpu_ring_write(ring, PACKET3(PACKET3_WRITE_DATA, 3));
      amdgpu_ring_write(ring, WR_ONE_ADDR);
      amdgpu_ring_write(ring, reg);
      amdgpu_ring_write(ring, 0);
      amdgpu_ring_write(ring, (uint32_t)i);
    }
  }
}

int main(int argc, char **argv) {
  long packets = argc > 1 ? atol(argv[1]) : 1000000;
  struct ring ring = {calloc(RING_DWORDS, 4), 0, RING_DWORDS - 1, RING_DWORDS - 1, 1 << 30, 0};
  encode_stream(&ring, packets);
  uint64_t checksum = 0;
  for (uint32_t i = 0; i < RING_DWORDS; i++) checksum = checksum * 31 + ring.ring[i];
  printf("wptr %llu checksum %016llx errors %u\n", (unsigned long long)ring.wptr, (unsigned long long)checksum, ring.errors);
  return 0;
}
