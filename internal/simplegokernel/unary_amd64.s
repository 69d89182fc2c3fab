//go:build !purego

#include "textflag.h"

// AVX2 + FMA float32 exp and tanh, eight values per iteration. Both stop at the first block of
// eight that holds a value they do not handle (exp: |x| > 87 or NaN; tanh: NaN) and return the
// number of blocks done, so that the Go caller computes that block with package math and
// resumes after it (unary.go).
//
// exp(x): k = round(x·log2 e), r = x − k·ln2 (ln 2 split in two parts, Cody–Waite), then
// e^r ≈ 1 + r + r²·P(r) with Cephes' degree-5 expf polynomial on |r| ≤ ln2/2, and 2^k built in
// the exponent bits (|k| ≤ 126 for |x| ≤ 87, so 2^k is a normal float32).
//
// tanh(x) = sign(x)·t(|x|) with t(a) = a + a³·Q(a²) (Taylor series of tanh to a¹⁹) for
// a < 0.55, and t(a) = 1 − 2/(e^{2a} + 1) otherwise, with a clamped to 10 (tanh(10) rounds to 1
// in float32).

#define ABSMASK ucon<>+0(SB)
#define SIGNMASK ucon<>+32(SB)
#define EXPMAX ucon<>+64(SB)
#define LOG2E ucon<>+96(SB)
#define LN2HI ucon<>+128(SB)
#define LN2LO ucon<>+160(SB)
#define EP0 ucon<>+192(SB)
#define EP1 ucon<>+224(SB)
#define EP2 ucon<>+256(SB)
#define EP3 ucon<>+288(SB)
#define EP4 ucon<>+320(SB)
#define EP5 ucon<>+352(SB)
#define ONE ucon<>+384(SB)
#define TWO ucon<>+416(SB)
#define TANHMAX ucon<>+448(SB)
#define TANHSMALL ucon<>+480(SB)
#define T19 ucon<>+512(SB)
#define T17 ucon<>+544(SB)
#define T15 ucon<>+576(SB)
#define T13 ucon<>+608(SB)
#define T11 ucon<>+640(SB)
#define T9 ucon<>+672(SB)
#define T7 ucon<>+704(SB)
#define T5 ucon<>+736(SB)
#define T3 ucon<>+768(SB)

// EXPCORE sets Y3 = exp(Y0) for |Y0| <= 87; it clobbers Y0, Y2, Y4 and Y5.
#define EXPCORE \
	VMULPS LOG2E, Y0, Y2; \
	VROUNDPS $0, Y2, Y2; \
	VFNMADD231PS LN2HI, Y2, Y0; \
	VFNMADD231PS LN2LO, Y2, Y0; \
	VMOVUPS EP0, Y3; \
	VFMADD213PS EP1, Y0, Y3; \
	VFMADD213PS EP2, Y0, Y3; \
	VFMADD213PS EP3, Y0, Y3; \
	VFMADD213PS EP4, Y0, Y3; \
	VFMADD213PS EP5, Y0, Y3; \
	VMULPS Y0, Y0, Y4; \
	VFMADD213PS Y0, Y4, Y3; \
	VADDPS ONE, Y3, Y3; \
	VCVTPS2DQ Y2, Y5; \
	VPSLLD $23, Y5, Y5; \
	VPADDD ONE, Y5, Y5; \
	VMULPS Y5, Y3, Y3

// func expAVX2(dst, src *float32, blocks int) int
TEXT ·expAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ blocks+16(FP), CX
	XORQ BX, BX

exploop:
	CMPQ BX, CX
	JGE  expdone
	VMOVUPS (SI), Y0
	VANDPS  ABSMASK, Y0, Y1
	VCMPPS  $2, EXPMAX, Y1, Y1 // |x| <= 87 (false for NaN)
	VMOVMSKPS Y1, AX
	CMPL    AX, $0xff
	JNE     expdone
	EXPCORE
	VMOVUPS Y3, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	INCQ    BX
	JMP     exploop

expdone:
	VZEROUPPER
	MOVQ BX, ret+24(FP)
	RET

// func tanhAVX2(dst, src *float32, blocks int) int
TEXT ·tanhAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ blocks+16(FP), CX
	XORQ BX, BX

tanhloop:
	CMPQ BX, CX
	JGE  tanhdone
	VMOVUPS (SI), Y0
	VCMPPS  $3, Y0, Y0, Y1 // unordered: NaN
	VMOVMSKPS Y1, AX
	TESTL   AX, AX
	JNE     tanhdone
	VANDPS  SIGNMASK, Y0, Y6
	VANDPS  ABSMASK, Y0, Y0
	VMINPS  TANHMAX, Y0, Y7 // a = min(|x|, 10)

	// Small a: a + a³·Q(a²).
	VMULPS      Y7, Y7, Y8
	VMOVUPS     T19, Y9
	VFMADD213PS T17, Y8, Y9
	VFMADD213PS T15, Y8, Y9
	VFMADD213PS T13, Y8, Y9
	VFMADD213PS T11, Y8, Y9
	VFMADD213PS T9, Y8, Y9
	VFMADD213PS T7, Y8, Y9
	VFMADD213PS T5, Y8, Y9
	VFMADD213PS T3, Y8, Y9
	VMULPS      Y7, Y8, Y10
	VFMADD213PS Y7, Y10, Y9

	// Large a: 1 − 2/(e^{2a} + 1).
	VADDPS Y7, Y7, Y0
	EXPCORE
	VADDPS  ONE, Y3, Y3
	VMOVUPS TWO, Y4
	VDIVPS  Y3, Y4, Y4
	VMOVUPS ONE, Y5
	VSUBPS  Y4, Y5, Y5

	VCMPPS    $1, TANHSMALL, Y7, Y1 // a < 0.55
	VBLENDVPS Y1, Y9, Y5, Y5
	VORPS     Y6, Y5, Y5
	VMOVUPS   Y5, (DI)
	ADDQ      $32, SI
	ADDQ      $32, DI
	INCQ      BX
	JMP       tanhloop

tanhdone:
	VZEROUPPER
	MOVQ BX, ret+24(FP)
	RET

// func sqrtAVX2(dst, src *float32, n int)
//
// dst[i] = sqrt(src[i]) for i < n (n a multiple of 8), correctly rounded (VSQRTPS), which is
// what float32(math.Sqrt(float64(x))) gives too.
TEXT ·sqrtAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX

sqrt32:
	CMPQ    CX, $32
	JLT     sqrt8
	VSQRTPS (SI), Y0
	VSQRTPS 32(SI), Y1
	VSQRTPS 64(SI), Y2
	VSQRTPS 96(SI), Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $32, CX
	JMP     sqrt32

sqrt8:
	CMPQ    CX, $8
	JLT     sqrtdone
	VSQRTPS (SI), Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     sqrt8

sqrtdone:
	VZEROUPPER
	RET

// Constants, each repeated eight times (one YMM register's worth).
// absmask: 0x7fffffff
DATA ucon<>+0(SB)/4, $0x7fffffff
DATA ucon<>+4(SB)/4, $0x7fffffff
DATA ucon<>+8(SB)/4, $0x7fffffff
DATA ucon<>+12(SB)/4, $0x7fffffff
DATA ucon<>+16(SB)/4, $0x7fffffff
DATA ucon<>+20(SB)/4, $0x7fffffff
DATA ucon<>+24(SB)/4, $0x7fffffff
DATA ucon<>+28(SB)/4, $0x7fffffff
// signmask: 0x80000000
DATA ucon<>+32(SB)/4, $0x80000000
DATA ucon<>+36(SB)/4, $0x80000000
DATA ucon<>+40(SB)/4, $0x80000000
DATA ucon<>+44(SB)/4, $0x80000000
DATA ucon<>+48(SB)/4, $0x80000000
DATA ucon<>+52(SB)/4, $0x80000000
DATA ucon<>+56(SB)/4, $0x80000000
DATA ucon<>+60(SB)/4, $0x80000000
// expmax: 0x42ae0000 = 87.0
DATA ucon<>+64(SB)/4, $0x42ae0000
DATA ucon<>+68(SB)/4, $0x42ae0000
DATA ucon<>+72(SB)/4, $0x42ae0000
DATA ucon<>+76(SB)/4, $0x42ae0000
DATA ucon<>+80(SB)/4, $0x42ae0000
DATA ucon<>+84(SB)/4, $0x42ae0000
DATA ucon<>+88(SB)/4, $0x42ae0000
DATA ucon<>+92(SB)/4, $0x42ae0000
// log2e: 0x3fb8aa3b = 1.4426950408889634
DATA ucon<>+96(SB)/4, $0x3fb8aa3b
DATA ucon<>+100(SB)/4, $0x3fb8aa3b
DATA ucon<>+104(SB)/4, $0x3fb8aa3b
DATA ucon<>+108(SB)/4, $0x3fb8aa3b
DATA ucon<>+112(SB)/4, $0x3fb8aa3b
DATA ucon<>+116(SB)/4, $0x3fb8aa3b
DATA ucon<>+120(SB)/4, $0x3fb8aa3b
DATA ucon<>+124(SB)/4, $0x3fb8aa3b
// ln2hi: 0x3f318000 = 0.693359375
DATA ucon<>+128(SB)/4, $0x3f318000
DATA ucon<>+132(SB)/4, $0x3f318000
DATA ucon<>+136(SB)/4, $0x3f318000
DATA ucon<>+140(SB)/4, $0x3f318000
DATA ucon<>+144(SB)/4, $0x3f318000
DATA ucon<>+148(SB)/4, $0x3f318000
DATA ucon<>+152(SB)/4, $0x3f318000
DATA ucon<>+156(SB)/4, $0x3f318000
// ln2lo: 0xb95e8083 = -0.00021219444
DATA ucon<>+160(SB)/4, $0xb95e8083
DATA ucon<>+164(SB)/4, $0xb95e8083
DATA ucon<>+168(SB)/4, $0xb95e8083
DATA ucon<>+172(SB)/4, $0xb95e8083
DATA ucon<>+176(SB)/4, $0xb95e8083
DATA ucon<>+180(SB)/4, $0xb95e8083
DATA ucon<>+184(SB)/4, $0xb95e8083
DATA ucon<>+188(SB)/4, $0xb95e8083
// ep0: 0x39506967 = 0.000198756915
DATA ucon<>+192(SB)/4, $0x39506967
DATA ucon<>+196(SB)/4, $0x39506967
DATA ucon<>+200(SB)/4, $0x39506967
DATA ucon<>+204(SB)/4, $0x39506967
DATA ucon<>+208(SB)/4, $0x39506967
DATA ucon<>+212(SB)/4, $0x39506967
DATA ucon<>+216(SB)/4, $0x39506967
DATA ucon<>+220(SB)/4, $0x39506967
// ep1: 0x3ab743ce = 0.0013981999507
DATA ucon<>+224(SB)/4, $0x3ab743ce
DATA ucon<>+228(SB)/4, $0x3ab743ce
DATA ucon<>+232(SB)/4, $0x3ab743ce
DATA ucon<>+236(SB)/4, $0x3ab743ce
DATA ucon<>+240(SB)/4, $0x3ab743ce
DATA ucon<>+244(SB)/4, $0x3ab743ce
DATA ucon<>+248(SB)/4, $0x3ab743ce
DATA ucon<>+252(SB)/4, $0x3ab743ce
// ep2: 0x3c088908 = 0.0083334519073
DATA ucon<>+256(SB)/4, $0x3c088908
DATA ucon<>+260(SB)/4, $0x3c088908
DATA ucon<>+264(SB)/4, $0x3c088908
DATA ucon<>+268(SB)/4, $0x3c088908
DATA ucon<>+272(SB)/4, $0x3c088908
DATA ucon<>+276(SB)/4, $0x3c088908
DATA ucon<>+280(SB)/4, $0x3c088908
DATA ucon<>+284(SB)/4, $0x3c088908
// ep3: 0x3d2aa9c1 = 0.041665795894
DATA ucon<>+288(SB)/4, $0x3d2aa9c1
DATA ucon<>+292(SB)/4, $0x3d2aa9c1
DATA ucon<>+296(SB)/4, $0x3d2aa9c1
DATA ucon<>+300(SB)/4, $0x3d2aa9c1
DATA ucon<>+304(SB)/4, $0x3d2aa9c1
DATA ucon<>+308(SB)/4, $0x3d2aa9c1
DATA ucon<>+312(SB)/4, $0x3d2aa9c1
DATA ucon<>+316(SB)/4, $0x3d2aa9c1
// ep4: 0x3e2aaaaa = 0.16666665459
DATA ucon<>+320(SB)/4, $0x3e2aaaaa
DATA ucon<>+324(SB)/4, $0x3e2aaaaa
DATA ucon<>+328(SB)/4, $0x3e2aaaaa
DATA ucon<>+332(SB)/4, $0x3e2aaaaa
DATA ucon<>+336(SB)/4, $0x3e2aaaaa
DATA ucon<>+340(SB)/4, $0x3e2aaaaa
DATA ucon<>+344(SB)/4, $0x3e2aaaaa
DATA ucon<>+348(SB)/4, $0x3e2aaaaa
// ep5: 0x3f000000 = 0.50000001201
DATA ucon<>+352(SB)/4, $0x3f000000
DATA ucon<>+356(SB)/4, $0x3f000000
DATA ucon<>+360(SB)/4, $0x3f000000
DATA ucon<>+364(SB)/4, $0x3f000000
DATA ucon<>+368(SB)/4, $0x3f000000
DATA ucon<>+372(SB)/4, $0x3f000000
DATA ucon<>+376(SB)/4, $0x3f000000
DATA ucon<>+380(SB)/4, $0x3f000000
// one: 0x3f800000 = 1.0
DATA ucon<>+384(SB)/4, $0x3f800000
DATA ucon<>+388(SB)/4, $0x3f800000
DATA ucon<>+392(SB)/4, $0x3f800000
DATA ucon<>+396(SB)/4, $0x3f800000
DATA ucon<>+400(SB)/4, $0x3f800000
DATA ucon<>+404(SB)/4, $0x3f800000
DATA ucon<>+408(SB)/4, $0x3f800000
DATA ucon<>+412(SB)/4, $0x3f800000
// two: 0x40000000 = 2.0
DATA ucon<>+416(SB)/4, $0x40000000
DATA ucon<>+420(SB)/4, $0x40000000
DATA ucon<>+424(SB)/4, $0x40000000
DATA ucon<>+428(SB)/4, $0x40000000
DATA ucon<>+432(SB)/4, $0x40000000
DATA ucon<>+436(SB)/4, $0x40000000
DATA ucon<>+440(SB)/4, $0x40000000
DATA ucon<>+444(SB)/4, $0x40000000
// tanhmax: 0x41200000 = 10.0
DATA ucon<>+448(SB)/4, $0x41200000
DATA ucon<>+452(SB)/4, $0x41200000
DATA ucon<>+456(SB)/4, $0x41200000
DATA ucon<>+460(SB)/4, $0x41200000
DATA ucon<>+464(SB)/4, $0x41200000
DATA ucon<>+468(SB)/4, $0x41200000
DATA ucon<>+472(SB)/4, $0x41200000
DATA ucon<>+476(SB)/4, $0x41200000
// tanhsmall: 0x3f0ccccd = 0.55
DATA ucon<>+480(SB)/4, $0x3f0ccccd
DATA ucon<>+484(SB)/4, $0x3f0ccccd
DATA ucon<>+488(SB)/4, $0x3f0ccccd
DATA ucon<>+492(SB)/4, $0x3f0ccccd
DATA ucon<>+496(SB)/4, $0x3f0ccccd
DATA ucon<>+500(SB)/4, $0x3f0ccccd
DATA ucon<>+504(SB)/4, $0x3f0ccccd
DATA ucon<>+508(SB)/4, $0x3f0ccccd
// t19: 0xb97abebc = -0.00023912911424355248
DATA ucon<>+512(SB)/4, $0xb97abebc
DATA ucon<>+516(SB)/4, $0xb97abebc
DATA ucon<>+520(SB)/4, $0xb97abebc
DATA ucon<>+524(SB)/4, $0xb97abebc
DATA ucon<>+528(SB)/4, $0xb97abebc
DATA ucon<>+532(SB)/4, $0xb97abebc
DATA ucon<>+536(SB)/4, $0xb97abebc
DATA ucon<>+540(SB)/4, $0xb97abebc
// t17: 0x3a1aac12 = 0.000590027440945586
DATA ucon<>+544(SB)/4, $0x3a1aac12
DATA ucon<>+548(SB)/4, $0x3a1aac12
DATA ucon<>+552(SB)/4, $0x3a1aac12
DATA ucon<>+556(SB)/4, $0x3a1aac12
DATA ucon<>+560(SB)/4, $0x3a1aac12
DATA ucon<>+564(SB)/4, $0x3a1aac12
DATA ucon<>+568(SB)/4, $0x3a1aac12
DATA ucon<>+572(SB)/4, $0x3a1aac12
// t15: 0xbabed1b2 = -0.0014558343870513183
DATA ucon<>+576(SB)/4, $0xbabed1b2
DATA ucon<>+580(SB)/4, $0xbabed1b2
DATA ucon<>+584(SB)/4, $0xbabed1b2
DATA ucon<>+588(SB)/4, $0xbabed1b2
DATA ucon<>+592(SB)/4, $0xbabed1b2
DATA ucon<>+596(SB)/4, $0xbabed1b2
DATA ucon<>+600(SB)/4, $0xbabed1b2
DATA ucon<>+604(SB)/4, $0xbabed1b2
// t13: 0x3b6b69e8 = 0.003592128036572481
DATA ucon<>+608(SB)/4, $0x3b6b69e8
DATA ucon<>+612(SB)/4, $0x3b6b69e8
DATA ucon<>+616(SB)/4, $0x3b6b69e8
DATA ucon<>+620(SB)/4, $0x3b6b69e8
DATA ucon<>+624(SB)/4, $0x3b6b69e8
DATA ucon<>+628(SB)/4, $0x3b6b69e8
DATA ucon<>+632(SB)/4, $0x3b6b69e8
DATA ucon<>+636(SB)/4, $0x3b6b69e8
// t11: 0xbc11371b = -0.008863235529902197
DATA ucon<>+640(SB)/4, $0xbc11371b
DATA ucon<>+644(SB)/4, $0xbc11371b
DATA ucon<>+648(SB)/4, $0xbc11371b
DATA ucon<>+652(SB)/4, $0xbc11371b
DATA ucon<>+656(SB)/4, $0xbc11371b
DATA ucon<>+660(SB)/4, $0xbc11371b
DATA ucon<>+664(SB)/4, $0xbc11371b
DATA ucon<>+668(SB)/4, $0xbc11371b
// t9: 0x3cb327a4 = 0.021869488536155203
DATA ucon<>+672(SB)/4, $0x3cb327a4
DATA ucon<>+676(SB)/4, $0x3cb327a4
DATA ucon<>+680(SB)/4, $0x3cb327a4
DATA ucon<>+684(SB)/4, $0x3cb327a4
DATA ucon<>+688(SB)/4, $0x3cb327a4
DATA ucon<>+692(SB)/4, $0x3cb327a4
DATA ucon<>+696(SB)/4, $0x3cb327a4
DATA ucon<>+700(SB)/4, $0x3cb327a4
// t7: 0xbd5d0dd1 = -0.05396825396825397
DATA ucon<>+704(SB)/4, $0xbd5d0dd1
DATA ucon<>+708(SB)/4, $0xbd5d0dd1
DATA ucon<>+712(SB)/4, $0xbd5d0dd1
DATA ucon<>+716(SB)/4, $0xbd5d0dd1
DATA ucon<>+720(SB)/4, $0xbd5d0dd1
DATA ucon<>+724(SB)/4, $0xbd5d0dd1
DATA ucon<>+728(SB)/4, $0xbd5d0dd1
DATA ucon<>+732(SB)/4, $0xbd5d0dd1
// t5: 0x3e088889 = 0.13333333333333333
DATA ucon<>+736(SB)/4, $0x3e088889
DATA ucon<>+740(SB)/4, $0x3e088889
DATA ucon<>+744(SB)/4, $0x3e088889
DATA ucon<>+748(SB)/4, $0x3e088889
DATA ucon<>+752(SB)/4, $0x3e088889
DATA ucon<>+756(SB)/4, $0x3e088889
DATA ucon<>+760(SB)/4, $0x3e088889
DATA ucon<>+764(SB)/4, $0x3e088889
// t3: 0xbeaaaaab = -0.3333333333333333
DATA ucon<>+768(SB)/4, $0xbeaaaaab
DATA ucon<>+772(SB)/4, $0xbeaaaaab
DATA ucon<>+776(SB)/4, $0xbeaaaaab
DATA ucon<>+780(SB)/4, $0xbeaaaaab
DATA ucon<>+784(SB)/4, $0xbeaaaaab
DATA ucon<>+788(SB)/4, $0xbeaaaaab
DATA ucon<>+792(SB)/4, $0xbeaaaaab
DATA ucon<>+796(SB)/4, $0xbeaaaaab
GLOBL ucon<>(SB), RODATA|NOPTR, $800
