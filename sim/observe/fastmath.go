package observe

import (
	"math"
	"math/rand/v2"
)

// Fast kernels of Observe: a table-driven exp and the normal generator
// (the selection of an order statistic is fastmath.SelectBranchFree).

// fastExp returns e^x for x ≤ 700 to a relative error below 1e-13 (tested
// against math.Exp): x = (64n + j)·ln2/64 + t with |t| ≤ ln2/128, so
// e^x = 2^n · 2^(j/64) · e^t, the middle factor from a table and e^t from
// its Taylor series to degree 4 (remainder t⁵/120 < 4e-14). Below −700 it
// returns 0; fastExp(0) is exactly 1. It is small enough to be inlined.
func fastExp(x float64) float64 {
	if x < -700 {
		return 0
	}
	const shift = 0x1.8p52 // adding and subtracting it rounds to an integer
	kf := (x*(64/math.Ln2) + shift) - shift
	k := int64(kf)
	t := (x - kf*ln2By64Hi) - kf*ln2By64Lo
	p := 1 + t*(1+t*(0.5+t*(1.0/6+t*(1.0/24))))
	return p * exp2Table[k&63] * math.Float64frombits(uint64((k>>6)+1023)<<52)
}

// ln2/64 split as Cody & Waite (1980) do, so that kf·ln2By64Hi is exact
// (ln2By64Hi has 37 significant bits, |kf| < 2¹⁶) and t keeps full
// relative precision even for |x| near 700.
const (
	ln2By64Hi = 0x1.62e42fefap-7
	ln2By64Lo = math.Ln2/64 - ln2By64Hi
)

// exp2Table holds 2^(j/64), j = 0…63.
var exp2Table = func() (t [64]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / 64)
	}
	return t
}()

// normals fills z with standard normal deviates from rng, two per 64-bit
// draw: each 32-bit half is one try of the ziggurat of Marsaglia & Tsang
// (2000, "The Ziggurat Method for Generating Random Variables", J. Stat.
// Softw. 5(8); 128 layers, tail from r = 3.442619855899, layer area
// v = 9.91256303526217e-3), its low 7 bits choosing the layer and its
// high 25 bits a signed position j in it (|j| ≤ 2²⁴). Marsaglia & Tsang's
// 32-bit form of the method uses the same 7 + 25 bits of each 32-bit
// word. The method is exact: within a layer x = j·w is uniform on a
// lattice of 2²⁴ steps (a relative resolution of 6e-8), and the wedges
// and the tail are rejection-sampled from further draws, so the
// deviates are standard normal to that resolution
// (TestNormalsDistribution). The fast path (98.8% of tries) is inlined
// and free of data-dependent branches except the rare exit to zigSlow
// (the sign of a deviate is a coin toss a branch predictor cannot learn).
// Half as many generator calls as rng.NormFloat64, whose stream it does
// not reproduce; it is deterministic given the generator's state.
func normals(rng *rand.Rand, z []float64) {
	i := 0
	for ; i+1 < len(z); i += 2 {
		u := rng.Uint64()
		h0, h1 := uint32(u), uint32(u>>32)
		j0, j1 := int32(h0)>>7, int32(h1)>>7
		l0, l1 := h0&0x7F, h1&0x7F
		m0, m1 := j0>>31, j1>>31 // 0 or −1
		a0, a1 := uint32((j0^m0)-m0), uint32((j1^m1)-m1)
		if a0 < zigK[l0] {
			z[i] = float64(j0) * zigW[l0]
		} else {
			z[i] = zigSlow(rng, h0)
		}
		if a1 < zigK[l1] {
			z[i+1] = float64(j1) * zigW[l1]
		} else {
			z[i+1] = zigSlow(rng, h1)
		}
	}
	if i < len(z) {
		z[i] = zigSlow(rng, uint32(rng.Uint64()))
	}
}

// zigK, zigW, zigF are the ziggurat tables for a 25-bit signed j, built
// with Marsaglia & Tsang's recurrence: for layer i, |j| < zigK[i] gives
// x = j·zigW[i] wholly under the curve; zigF[i] is exp(−x_i²/2) at the
// layer's outer edge.
var zigK, zigW, zigF = zigTables()

const zigR = 3.442619855899 // start of the tail

func zigTables() (k [128]uint32, w, f [128]float64) {
	const m1 = 1 << 24 // |j| ≤ 2²⁴
	const vn = 9.91256303526217e-3
	dn, tn := zigR, zigR
	q := vn / math.Exp(-0.5*dn*dn)
	k[0] = uint32(dn / q * m1)
	k[1] = 0
	w[0] = q / m1
	w[127] = dn / m1
	f[0] = 1
	f[127] = math.Exp(-0.5 * dn * dn)
	for i := 126; i >= 1; i-- {
		dn = math.Sqrt(-2 * math.Log(vn/dn+math.Exp(-0.5*dn*dn)))
		k[i+1] = uint32(dn / tn * m1)
		tn = dn
		f[i] = math.Exp(-0.5 * dn * dn)
		w[i] = dn / m1
	}
	return k, w, f
}

// zigSlow finishes a ziggurat try whose 32 bits h (layer in the low 7,
// signed position in the high 25) may miss the fast path: the tail beyond
// r (Marsaglia 1964) for the base layer, the wedge test for the others,
// and a fresh try from a new draw on rejection.
func zigSlow(rng *rand.Rand, h uint32) float64 {
	for {
		j := int32(h) >> 7
		i := h & 0x7F
		x := float64(j) * zigW[i]
		m := j >> 31
		if uint32((j^m)-m) < zigK[i] {
			return x
		}
		if i == 0 {
			for {
				x = -math.Log(rng.Float64()) * (1.0 / zigR)
				y := -math.Log(rng.Float64())
				if y+y >= x*x {
					break
				}
			}
			if j > 0 {
				return zigR + x
			}
			return -zigR - x
		}
		if zigF[i]+rng.Float64()*(zigF[i-1]-zigF[i]) < math.Exp(-.5*x*x) {
			return x
		}
		h = uint32(rng.Uint64())
	}
}
