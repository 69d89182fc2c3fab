package dataset

import (
	"fmt"
	"math"
	"testing"
)

func TestHashUnitKnownValues(t *testing.T) {
	// FNV-1a 64 of "" is the offset basis 0xcbf29ce484222325 and of "a"
	// 0xaf63dc4c8601ec8c (reference values from the FNV specification);
	// fmix64 of them was computed independently (Python, the MurmurHash3
	// reference constants); HashUnit keeps the top 53 bits.
	for _, c := range []struct {
		id   string
		hash uint64
	}{{"", 0xefd01f60ba992926}, {"a", 0x82a2a958a9bece5b}} {
		want := float64(c.hash>>11) / (1 << 53)
		if got := HashUnit(c.id); got != want {
			t.Errorf("HashUnit(%q) = %v, want %v", c.id, got, want)
		}
	}
}

func TestSplitFractions(t *testing.T) {
	const n = 20000
	counts := map[Split]int{}
	for i := range n {
		counts[SplitOf(fmt.Sprintf("%d", 100000000+i*7), 0.1, 0.2)]++
	}
	// Binomial σ for p = 0.1 at n = 20000 is 0.0021; allow 4σ.
	for s, want := range map[Split]float64{SplitTrain: 0.7, SplitVal: 0.1, SplitTest: 0.2} {
		got := float64(counts[s]) / n
		sigma := math.Sqrt(want * (1 - want) / n)
		if math.Abs(got-want) > 4*sigma {
			t.Errorf("%s: fraction %.4f, want %.2f ± %.4f", s, got, want, 4*sigma)
		}
	}
}

func TestSplitStable(t *testing.T) {
	for i := range 2000 {
		id := fmt.Sprintf("obs-%d", i)
		a := SplitOf(id, 0.1, 0.1)
		if b := SplitOf(id, 0.1, 0.1); a != b {
			t.Fatalf("%s: %s then %s", id, a, b)
		}
		// More validation never moves a test id, and moves ids only from
		// train to val.
		c := SplitOf(id, 0.3, 0.1)
		if (a == SplitTest) != (c == SplitTest) || (a == SplitVal && c != SplitVal) {
			t.Fatalf("%s: %s with val 0.1, %s with val 0.3", id, a, c)
		}
	}
	if SplitOf("x", 0, 0) != SplitTrain || SplitOf("x", 0, 1) != SplitTest || SplitOf("x", math.NaN(), 2) != SplitTest {
		t.Error("degenerate fractions")
	}
}

func TestSetSplit(t *testing.T) {
	set := &Set{Grid: LAMOSTGridForTest()}
	for i := range 500 {
		set.Examples = append(set.Examples, Example{ID: fmt.Sprintf("id%d", i), Labels: Unlabelled()})
	}
	tr, va, te := set.Split(0.15, 0.15)
	if len(tr.Examples)+len(va.Examples)+len(te.Examples) != 500 {
		t.Fatalf("%d+%d+%d != 500", len(tr.Examples), len(va.Examples), len(te.Examples))
	}
	for _, c := range []struct {
		s    *Set
		want Split
	}{{tr, SplitTrain}, {va, SplitVal}, {te, SplitTest}} {
		if !c.s.Grid.Equal(set.Grid) {
			t.Errorf("%s: grid %v", c.want, c.s.Grid)
		}
		prev := -1
		for _, ex := range c.s.Examples {
			if SplitOf(ex.ID, 0.15, 0.15) != c.want {
				t.Errorf("%s in %s", ex.ID, c.want)
			}
			var k int
			fmt.Sscanf(ex.ID, "id%d", &k)
			if k <= prev {
				t.Errorf("%s: order not kept", c.want)
			}
			prev = k
		}
	}
}
