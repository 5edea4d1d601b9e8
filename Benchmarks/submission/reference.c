/* C reference for the submission benchmark: one IB submitted without a job on a gfx_v8 compute
 * ring (ME 1, pipe 1), written the way amdgpu does it (amdgpu_ring_alloc, the HDP flush, the IB,
 * the HDP invalidate, the fence, amdgpu_ring_commit with NOP padding, the write pointer to its
 * writeback slot and the doorbell), with vid.h-style macros. A stand-in CP consumes the ring
 * between submissions, outside the measured function, as in the Swift benchmark. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define PACKET3(op, n) ((3u << 30) | (((op) & 0xFF) << 8) | (((n) & 0x3FFF) << 16))
#define PACKET3_NOP 0x10
#define PACKET3_WRITE_DATA 0x37
#define PACKET3_WAIT_REG_MEM 0x3C
#define PACKET3_INDIRECT_BUFFER 0x3F
#define PACKET3_RELEASE_MEM 0x49
#define WAIT_REG_MEM_FUNCTION(x) ((x) << 0)
#define WAIT_REG_MEM_OPERATION(x) ((x) << 6)
#define WR_CONFIRM (1u << 20)
#define INDIRECT_BUFFER_VALID (1u << 23)
#define EVENT_TYPE(x) ((x) << 0)
#define EVENT_INDEX(x) ((x) << 8)
#define EOP_TC_WB_ACTION_EN (1u << 15)
#define EOP_TCL1_ACTION_EN (1u << 16)
#define EOP_TC_ACTION_EN (1u << 17)
#define DATA_SEL(x) ((x) << 29)
#define INT_SEL(x) ((x) << 24)
#define CACHE_FLUSH_AND_INV_TS_EVENT 0x14
#define mmGPU_HDP_FLUSH_REQ 0x1537
#define mmGPU_HDP_FLUSH_DONE 0x1538
#define GPU_HDP_FLUSH_DONE__CP2_MASK 0x4
#define mmHDP_DEBUG0 0x0BCC

#define RING_DWORDS 2048u /* a compute ring: 8 KiB */
#define FRAME_DWORDS 116  /* emit_frame_size + one emit_ib_size */

struct ring {
  uint32_t *ring;
  uint64_t wptr, wptr_old, buf_mask, ptr_mask;
  int count_dw;
  unsigned me, pipe;
  uint32_t sync_seq;
  uint64_t fence_addr;
  volatile uint32_t *wptr_cpu, *rptr_cpu, *doorbell;
};

static inline void amdgpu_ring_write(struct ring *ring, uint32_t v) {
  ring->ring[ring->wptr++ & ring->buf_mask] = v;
  ring->wptr &= ring->ptr_mask;
  ring->count_dw--;
}

static inline int amdgpu_ring_alloc(struct ring *ring, unsigned ndw) {
  ndw = (ndw + 0xFF) & ~0xFFu;
  if (ndw > 1024) return -1;
  ring->count_dw = ndw;
  ring->wptr_old = ring->wptr;
  return 0;
}

static inline void emit_hdp_flush(struct ring *ring) {
  uint32_t ref_and_mask = GPU_HDP_FLUSH_DONE__CP2_MASK << ring->pipe;
  amdgpu_ring_write(ring, PACKET3(PACKET3_WAIT_REG_MEM, 5));
  amdgpu_ring_write(ring, WAIT_REG_MEM_OPERATION(1) | WAIT_REG_MEM_FUNCTION(3));
  amdgpu_ring_write(ring, mmGPU_HDP_FLUSH_REQ);
  amdgpu_ring_write(ring, mmGPU_HDP_FLUSH_DONE);
  amdgpu_ring_write(ring, ref_and_mask);
  amdgpu_ring_write(ring, ref_and_mask);
  amdgpu_ring_write(ring, 0x20);
}

static inline void emit_ib_compute(struct ring *ring, uint64_t gpu_addr, uint32_t length_dw, unsigned vmid) {
  amdgpu_ring_write(ring, PACKET3(PACKET3_INDIRECT_BUFFER, 2));
  amdgpu_ring_write(ring, (uint32_t)gpu_addr & 0xFFFFFFFC);
  amdgpu_ring_write(ring, (uint32_t)(gpu_addr >> 32) & 0xFFFF);
  amdgpu_ring_write(ring, INDIRECT_BUFFER_VALID | length_dw | (vmid << 24));
}

static inline void emit_wreg(struct ring *ring, uint32_t reg, uint32_t val) {
  amdgpu_ring_write(ring, PACKET3(PACKET3_WRITE_DATA, 3));
  amdgpu_ring_write(ring, WR_CONFIRM);
  amdgpu_ring_write(ring, reg);
  amdgpu_ring_write(ring, 0);
  amdgpu_ring_write(ring, val);
}

static inline void emit_fence_compute(struct ring *ring, uint64_t addr, uint64_t seq, int write64, int interrupt) {
  amdgpu_ring_write(ring, PACKET3(PACKET3_RELEASE_MEM, 5));
  amdgpu_ring_write(ring, EOP_TCL1_ACTION_EN | EOP_TC_ACTION_EN | EOP_TC_WB_ACTION_EN |
                              EVENT_TYPE(CACHE_FLUSH_AND_INV_TS_EVENT) | EVENT_INDEX(5));
  amdgpu_ring_write(ring, DATA_SEL(write64 ? 2 : 1) | INT_SEL(interrupt ? 2 : 0));
  amdgpu_ring_write(ring, (uint32_t)addr & 0xfffffffc);
  amdgpu_ring_write(ring, (uint32_t)(addr >> 32));
  amdgpu_ring_write(ring, (uint32_t)seq);
  amdgpu_ring_write(ring, (uint32_t)(seq >> 32));
}

static inline void amdgpu_ring_commit(struct ring *ring) {
  uint32_t count = (0x100 - (ring->wptr & 0xFF)) & 0xFF;
  while (count--) amdgpu_ring_write(ring, PACKET3(PACKET3_NOP, 0x3FFF));
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  *ring->wptr_cpu = (uint32_t)ring->wptr;
  *ring->doorbell = (uint32_t)ring->wptr;
}

/* amdgpu_ib_schedule for one IB without a job; the fence sequence. */
__attribute__((noinline)) uint32_t submission_c_frame(struct ring *ring, uint64_t ib, uint32_t length_dw) {
  if (amdgpu_ring_alloc(ring, FRAME_DWORDS)) return 0;
  emit_hdp_flush(ring);
  emit_ib_compute(ring, ib, length_dw, 0);
  emit_wreg(ring, mmHDP_DEBUG0, 1);
  uint32_t seq = ++ring->sync_seq;
  emit_fence_compute(ring, ring->fence_addr, seq, 0, 1);
  amdgpu_ring_commit(ring);
  return seq;
}

int main(int argc, char **argv) {
  long count = argc > 1 ? atol(argv[1]) : 100000;
  static uint32_t buffer[RING_DWORDS], pointers[8];
  for (unsigned i = 0; i < RING_DWORDS; i++) buffer[i] = PACKET3(PACKET3_NOP, 0x3FFF);
  struct ring ring = {
    .ring = buffer, .buf_mask = RING_DWORDS - 1, .ptr_mask = RING_DWORDS - 1, .me = 1, .pipe = 1,
    .fence_addr = 0x8000000040ull, .wptr_cpu = &pointers[0], .rptr_cpu = &pointers[1], .doorbell = &pointers[2]};
  uint32_t fence = 0;
  for (long i = 0; i < count; i++) {
    fence = submission_c_frame(&ring, 0x8000100000ull, 5);
    *ring.rptr_cpu = *ring.wptr_cpu; /* the stand-in CP */
  }
  uint32_t sum = 0;
  for (unsigned i = 0; i < RING_DWORDS; i++) sum = sum * 31 + buffer[i];
  printf("ring checksum %x, last fence %u\n", sum, fence);
  return 0;
}
