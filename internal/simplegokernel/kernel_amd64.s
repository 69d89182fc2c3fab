//go:build !purego

#include "textflag.h"

// func transposeTilesAVX2(dst, src *float32, dstStride, srcStride, rowTiles, colTiles int)
//
// dst[c*dstStride+r] = src[r*srcStride+c] for 0 <= r < 8*rowTiles, 0 <= c < 8*colTiles (strides
// in values; rowTiles, colTiles > 0). Works on 8×8 tiles: eight source rows are loaded,
// transposed in registers (unpack, shuffle, 128-bit permute) and stored as eight rows of dst.
TEXT ·transposeTilesAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ dstStride+16(FP), R10
	MOVQ srcStride+24(FP), R8
	MOVQ rowTiles+32(FP), CX
	MOVQ colTiles+40(FP), DX
	SHLQ $2, R8           // R8: source row stride in bytes
	LEAQ (R8)(R8*2), R9   // R9: 3 source rows
	SHLQ $2, R10          // R10: destination row stride in bytes
	LEAQ (R10)(R10*2), R11 // R11: 3 destination rows
	XORQ AX, AX           // AX: byte offset of the tile's columns in dst (8 source rows each)

tjloop:
	MOVQ SI, R12          // R12: source tile (rows r..r+7, columns c..c+7)
	LEAQ (DI)(AX*1), R13  // R13: destination tile (rows c..c+7, columns r..r+7)
	MOVQ DX, R14          // R14: tiles left along the source columns

tkloop:
	LEAQ (R12)(R8*4), BX
	VMOVUPS (R12), Y0
	VMOVUPS (R12)(R8*1), Y1
	VMOVUPS (R12)(R8*2), Y2
	VMOVUPS (R12)(R9*1), Y3
	VMOVUPS (BX), Y4
	VMOVUPS (BX)(R8*1), Y5
	VMOVUPS (BX)(R8*2), Y6
	VMOVUPS (BX)(R9*1), Y7

	// Interleave pairs of rows: t0 = r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] r0[5] r1[5], etc.
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15

	// Columns c | c+4 of four rows: s0 = col 0 | col 4 of rows 0-3, s1 = col 1 | col 5, ...
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7

	// Whole columns: low halves give columns 0-3, high halves columns 4-7.
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15

	LEAQ (R13)(R10*4), BX
	VMOVUPS Y8, (R13)
	VMOVUPS Y9, (R13)(R10*1)
	VMOVUPS Y10, (R13)(R10*2)
	VMOVUPS Y11, (R13)(R11*1)
	VMOVUPS Y12, (BX)
	VMOVUPS Y13, (BX)(R10*1)
	VMOVUPS Y14, (BX)(R10*2)
	VMOVUPS Y15, (BX)(R11*1)

	ADDQ $32, R12          // next 8 source columns
	LEAQ (R13)(R10*8), R13 // next 8 destination rows
	DECQ R14
	JNZ  tkloop

	LEAQ (SI)(R8*8), SI   // next 8 source rows
	ADDQ $32, AX          // next 8 destination columns
	DECQ CX
	JNZ  tjloop

	VZEROUPPER
	RET

// func mulAddAVX2(a, bt, c *float32, n int)
//
// c[i*n+j] += sum over k of a[i*n+k] * bt[k*n+j] for 0 <= i, j, k < n; n > 0 is a multiple of 16.
// Micro-kernel: 4 rows of c × 16 columns (8 accumulators of 8 lanes), kept in registers over
// the whole k loop; each k step loads 16 values of bt's row k, broadcasts a[i][k] for the 4 rows
// and does 8 fused multiply-adds.
TEXT ·mulAddAVX2(SB), NOSPLIT, $0-32
	MOVQ a+0(FP), SI
	MOVQ bt+8(FP), DI
	MOVQ c+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ CX, R8
	SHLQ $2, R8           // R8: row stride in bytes
	MOVQ CX, R9
	SHRQ $2, R9           // R9: groups of 4 rows left

rowloop:
	XORQ R10, R10         // R10: byte offset of the 16-column tile

colloop:
	LEAQ (DX)(R10*1), R11 // rows 0, 1 of the c tile
	LEAQ (R11)(R8*2), R12 // rows 2, 3
	VMOVUPS (R11), Y0
	VMOVUPS 32(R11), Y1
	VMOVUPS (R11)(R8*1), Y2
	VMOVUPS 32(R11)(R8*1), Y3
	VMOVUPS (R12), Y4
	VMOVUPS 32(R12), Y5
	VMOVUPS (R12)(R8*1), Y6
	VMOVUPS 32(R12)(R8*1), Y7

	LEAQ (DI)(R10*1), R13 // bt row k, tile columns
	MOVQ SI, R14          // a rows 0, 1 at column k
	LEAQ (SI)(R8*2), BX   // a rows 2, 3 at column k
	MOVQ CX, AX           // k steps left

kloop:
	VMOVUPS (R13), Y8
	VMOVUPS 32(R13), Y9
	VBROADCASTSS (R14), Y10
	VFMADD231PS Y8, Y10, Y0
	VFMADD231PS Y9, Y10, Y1
	VBROADCASTSS (R14)(R8*1), Y11
	VFMADD231PS Y8, Y11, Y2
	VFMADD231PS Y9, Y11, Y3
	VBROADCASTSS (BX), Y12
	VFMADD231PS Y8, Y12, Y4
	VFMADD231PS Y9, Y12, Y5
	VBROADCASTSS (BX)(R8*1), Y13
	VFMADD231PS Y8, Y13, Y6
	VFMADD231PS Y9, Y13, Y7
	ADDQ R8, R13
	ADDQ $4, R14
	ADDQ $4, BX
	DECQ AX
	JNZ  kloop

	VMOVUPS Y0, (R11)
	VMOVUPS Y1, 32(R11)
	VMOVUPS Y2, (R11)(R8*1)
	VMOVUPS Y3, 32(R11)(R8*1)
	VMOVUPS Y4, (R12)
	VMOVUPS Y5, 32(R12)
	VMOVUPS Y6, (R12)(R8*1)
	VMOVUPS Y7, 32(R12)(R8*1)

	ADDQ $64, R10
	CMPQ R10, R8
	JLT  colloop

	LEAQ (SI)(R8*4), SI   // next 4 rows of a
	LEAQ (DX)(R8*4), DX   // next 4 rows of c
	DECQ R9
	JNZ  rowloop

	VZEROUPPER
	RET
