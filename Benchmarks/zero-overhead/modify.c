/* The same updates written the Linux way: RREG32 / REG_SET_FIELD / WREG32 with the header's
 * mask and shift macros (values from bif_5_0_d.h and bif_5_0_sh_mask.h; for the last, from
 * gfx_8_0_d.h, gfx_8_0_sh_mask.h and gfx_8_0_enum.h). */
#include <stdbool.h>
#include <stdint.h>

#define mmMAILBOX_CONTROL 0x14D0
#define MAILBOX_CONTROL__TRN_MSG_VALID_MASK 0x00000001L
#define MAILBOX_CONTROL__TRN_MSG_VALID__SHIFT 0x00000000
#define MAILBOX_CONTROL__TRN_MSG_ACK_MASK 0x00000002L
#define MAILBOX_CONTROL__TRN_MSG_ACK__SHIFT 0x00000001
#define mmBIF_DEBUG_CNTL 0x151C
#define BIF_DEBUG_CNTL__DEBUG_IDSEL_BLK1_MASK 0x00001f00L
#define BIF_DEBUG_CNTL__DEBUG_IDSEL_BLK1__SHIFT 0x00000008
#define mmPCIE_VC1_RESOURCE_CNTL 0x4c
#define PCIE_VC1_RESOURCE_CNTL__PORT_ARB_SELECT_MASK 0xe0000
#define PCIE_VC1_RESOURCE_CNTL__PORT_ARB_SELECT__SHIFT 0x11

#define mmCP_HQD_CTX_SAVE_CONTROL 0x3272
#define CP_HQD_CTX_SAVE_CONTROL__MTYPE_MASK 0x6
#define CP_HQD_CTX_SAVE_CONTROL__MTYPE__SHIFT 0x1
enum MTYPE { MTYPE_NC_NV = 0x0, MTYPE_NC = 0x1, MTYPE_CC = 0x2, MTYPE_UC = 0x3 };

#define RREG32(reg) (mmio[(reg)])
#define WREG32(reg, v) (mmio[(reg)] = (v))
#define REG_SET_FIELD(orig_val, reg, field, field_val) \
  (((orig_val) & ~reg##__##field##_MASK) | (reg##__##field##_MASK & ((field_val) << reg##__##field##__SHIFT)))
#define REG_GET_FIELD(value, reg, field) (((value) & reg##__##field##_MASK) >> reg##__##field##__SHIFT)

void setValid(volatile uint32_t *mmio) {
  uint32_t v = RREG32(mmMAILBOX_CONTROL);
  v = REG_SET_FIELD(v, MAILBOX_CONTROL, TRN_MSG_VALID, 1);
  WREG32(mmMAILBOX_CONTROL, v);
}

void setDebugSelect(volatile uint32_t *mmio, uint8_t select) {
  uint32_t v = RREG32(mmBIF_DEBUG_CNTL);
  v = REG_SET_FIELD(v, BIF_DEBUG_CNTL, DEBUG_IDSEL_BLK1, (uint32_t)select);
  WREG32(mmBIF_DEBUG_CNTL, v);
}

bool readAck(volatile uint32_t *mmio) {
  return REG_GET_FIELD(RREG32(mmMAILBOX_CONTROL), MAILBOX_CONTROL, TRN_MSG_ACK);
}

void setSaveAreaCached(volatile uint32_t *mmio) {
  uint32_t v = RREG32(mmCP_HQD_CTX_SAVE_CONTROL);
  v = REG_SET_FIELD(v, CP_HQD_CTX_SAVE_CONTROL, MTYPE, MTYPE_CC);
  WREG32(mmCP_HQD_CTX_SAVE_CONTROL, v);
}

void setPortArbitration(volatile uint32_t *mmio, uint8_t select) {
  uint32_t v = RREG32(mmPCIE_VC1_RESOURCE_CNTL);
  v = REG_SET_FIELD(v, PCIE_VC1_RESOURCE_CNTL, PORT_ARB_SELECT, (uint32_t)select);
  WREG32(mmPCIE_VC1_RESOURCE_CNTL, v);
}
