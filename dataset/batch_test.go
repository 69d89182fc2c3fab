package dataset

import (
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/astroone/astroone-go/prep"
)

// smallGrid covers 3981–5012 Å (the g band included) in 101 pixels.
var smallGrid = prep.Grid{Log10Start: 3.6, Log10Step: 1e-3, N: 101}

// toySet returns n labelled examples on smallGrid with distinct pixels.
func toySet(n int) *Set {
	set := &Set{Grid: smallGrid}
	for i := range n {
		ex := Example{ID: fmt.Sprintf("s%03d", i), Flux: make([]float32, smallGrid.N), Ivar: make([]float32, smallGrid.N), Labels: Unlabelled()}
		for j := range ex.Flux {
			ex.Flux[j] = float32(100 + i + j%5)
			ex.Ivar[j] = 0.25
		}
		ex.Labels.Class = i % NumClasses
		ex.Labels.SNR = 50
		if i%2 == 0 {
			ex.Labels.Params[ParamTeff], ex.Labels.Params[ParamRV] = 4000+float64(10*i), float64(i)
		} else {
			ex.Labels.Params[ParamZ] = 0.01 * float64(i)
		}
		set.Examples = append(set.Examples, ex)
	}
	return set
}

// cloneBatch deep-copies a batch.
func cloneBatch(b *Batch) *Batch {
	c := *b
	c.Flux, c.Ivar, c.Class = slices.Clone(b.Flux), slices.Clone(b.Ivar), slices.Clone(b.Class)
	c.Y, c.W, c.SNR, c.IDs = slices.Clone(b.Y), slices.Clone(b.W), slices.Clone(b.SNR), slices.Clone(b.IDs)
	return &c
}

// drain returns up to max batches (deep copies), recycling each, and the
// error that ended the stream (nil when max was reached).
func drain(t *testing.T, b *Batcher, max int, pause time.Duration) ([]*Batch, error) {
	t.Helper()
	var out []*Batch
	for len(out) < max {
		batch, err := b.Next()
		if err != nil {
			return out, err
		}
		out = append(out, cloneBatch(batch))
		b.Recycle(batch)
		if pause > 0 {
			time.Sleep(pause)
		}
	}
	return out, nil
}

// sameBatches compares batch streams, NaN equal to NaN.
func sameBatches(a, b []*Batch) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := *a[i], *b[i]
		if x.Size != y.Size || x.Pixels != y.Pixels || !slices.Equal(x.Flux, y.Flux) || !slices.Equal(x.Ivar, y.Ivar) ||
			!slices.Equal(x.Class, y.Class) || !slices.Equal(x.Y, y.Y) || !slices.Equal(x.W, y.W) || !slices.Equal(x.IDs, y.IDs) {
			return false
		}
		for j := range x.SNR {
			if x.SNR[j] != y.SNR[j] && !(math.IsNaN(float64(x.SNR[j])) && math.IsNaN(float64(y.SNR[j]))) {
				return false
			}
		}
	}
	return true
}

func TestBatcherEpochsAndContent(t *testing.T) {
	set := toySet(23)
	norm := FitNormalizer(set)
	b, err := NewBatcher(set, norm, BatchOptions{Size: 5, Epochs: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.BatchesPerEpoch() != 5 {
		t.Errorf("%d batches per epoch, want 5", b.BatchesPerEpoch())
	}
	got, err := drain(t, b, 100, 0)
	if err != io.EOF || len(got) != 10 {
		t.Fatalf("%d batches, then %v; want 10, EOF", len(got), err)
	}
	if _, err := b.Next(); err != io.EOF {
		t.Errorf("after the end: %v", err)
	}
	var sizes []int
	for _, bt := range got {
		sizes = append(sizes, bt.Size)
	}
	if !slices.Equal(sizes, []int{5, 5, 5, 5, 3, 5, 5, 5, 5, 3}) {
		t.Errorf("sizes %v", sizes)
	}
	// Without shuffling, the set's order; each row holds its example.
	for k, bt := range got[:5] {
		for r := range bt.Size {
			ex := &set.Examples[5*k+r]
			y, w := norm.Encode(ex.Labels.Params)
			p := bt.Pixels
			if bt.IDs[r] != ex.ID || int(bt.Class[r]) != ex.Labels.Class || bt.SNR[r] != 50 ||
				!slices.Equal(bt.Flux[r*p:(r+1)*p], ex.Flux) || !slices.Equal(bt.Ivar[r*p:(r+1)*p], ex.Ivar) ||
				!slices.Equal(bt.Y[r*NumParams:(r+1)*NumParams], y[:]) || !slices.Equal(bt.W[r*NumParams:(r+1)*NumParams], w[:]) {
				t.Fatalf("batch %d row %d does not hold example %s", k, r, ex.ID)
			}
		}
	}
	if len(got[0].Flux) != 5*smallGrid.N || len(got[4].Flux) != 3*smallGrid.N || len(got[4].Y) != 3*NumParams {
		t.Errorf("buffer lengths %d, %d, %d", len(got[0].Flux), len(got[4].Flux), len(got[4].Y))
	}
}

func TestBatcherShuffleDropLast(t *testing.T) {
	set := toySet(23)
	b, err := NewBatcher(set, FitNormalizer(set), BatchOptions{Size: 4, Seed: 1, Shuffle: true, DropLast: true, Epochs: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got, err := drain(t, b, 100, 0)
	if err != io.EOF || len(got) != 15 || b.BatchesPerEpoch() != 5 {
		t.Fatalf("%d batches (%d per epoch), then %v", len(got), b.BatchesPerEpoch(), err)
	}
	var orders [][]string
	for e := range 3 {
		var ids []string
		for _, bt := range got[5*e : 5*e+5] {
			if bt.Size != 4 {
				t.Fatalf("batch of %d with DropLast", bt.Size)
			}
			ids = append(ids, bt.IDs...)
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				t.Fatalf("epoch %d: %s twice", e, id)
			}
			seen[id] = true
		}
		orders = append(orders, ids)
	}
	if slices.Equal(orders[0], orders[1]) || slices.IsSorted(orders[0]) {
		t.Error("epochs not shuffled, or shuffled alike")
	}
}

func TestBatcherDeterministicWithPrefetch(t *testing.T) {
	set := toySet(37)
	norm := FitNormalizer(set)
	aug := &Augment{RVSigmaKmS: 150, MinSNR: 5, FluxScale: [2]float64{0.5, 2}}
	run := func(prefetch int, pause time.Duration) []*Batch {
		b, err := NewBatcher(set, norm, BatchOptions{Size: 6, Seed: 42, Shuffle: true, Augment: aug, Prefetch: prefetch, Epochs: -1})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		got, err := drain(t, b, 20, pause)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	a := run(1, 0)
	if !sameBatches(a, run(8, 0)) || !sameBatches(a, run(3, time.Millisecond)) {
		t.Error("batches depend on prefetching or timing")
	}
	// The augmentation did something, and differs between epochs.
	if slices.Equal(a[0].Flux[:smallGrid.N], set.Examples[0].Flux) {
		t.Error("augmented batch equals the raw example")
	}
	other, err := NewBatcher(set, norm, BatchOptions{Size: 6, Seed: 43, Shuffle: true, Augment: aug, Epochs: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	o, _ := drain(t, other, 20, 0)
	if sameBatches(a, o) {
		t.Error("seed ignored")
	}
}

func TestBatcherResume(t *testing.T) {
	set := toySet(29)
	norm := FitNormalizer(set)
	opts := BatchOptions{Size: 4, Seed: 7, Shuffle: true, Augment: &Augment{RVSigmaKmS: 50, MinSNR: 10}, Epochs: 4}
	full, err := NewBatcher(set, norm, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	all, err := drain(t, full, 1000, 0)
	if err != io.EOF || len(all) != 4*8 {
		t.Fatalf("%d batches, %v", len(all), err)
	}
	for _, cut := range []int{0, 3, 7, 8, 13, 31} { // 8: an epoch boundary
		first, err := NewBatcher(set, norm, opts)
		if err != nil {
			t.Fatal(err)
		}
		head, _ := drain(t, first, cut, 0)
		st := first.State()
		first.Close()
		if !sameBatches(head, all[:cut]) {
			t.Fatalf("cut %d: head differs", cut)
		}
		if want := (BatcherState{Epoch: cut / 8, Offset: 4 * (cut % 8)}); st != want {
			t.Errorf("cut %d: state %+v, want %+v", cut, st, want)
		}
		second, err := NewBatcher(set, norm, opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := second.Resume(st); err != nil {
			t.Fatal(err)
		}
		tail, err := drain(t, second, 1000, 0)
		second.Close()
		if err != io.EOF || !sameBatches(tail, all[cut:]) {
			t.Errorf("cut %d: resumed stream differs (%d batches, %v)", cut, len(tail), err)
		}
	}
	// Resuming backwards on the same batcher replays.
	b, _ := NewBatcher(set, norm, opts)
	defer b.Close()
	drain(t, b, 10, 0)
	if err := b.Resume(BatcherState{Epoch: 1, Offset: 8}); err != nil {
		t.Fatal(err)
	}
	again, _ := drain(t, b, 3, 0)
	if !sameBatches(again, all[10:13]) {
		t.Error("replay after Resume differs")
	}
	for _, bad := range []BatcherState{{Epoch: -1}, {Offset: -2}, {Offset: 29}} {
		if err := b.Resume(bad); err == nil {
			t.Errorf("Resume(%+v) accepted", bad)
		}
	}
}

func TestBatcherCloseAndEdgeCases(t *testing.T) {
	before := runtime.NumGoroutine()
	set := toySet(10)
	b, err := NewBatcher(set, FitNormalizer(set), BatchOptions{Size: 3, Epochs: -1, Prefetch: 4})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Next(); err != nil {
		t.Fatal(err)
	}
	b.Close()
	b.Close()
	if _, err := b.Next(); !errors.Is(err, ErrClosed) {
		t.Errorf("Next after Close: %v", err)
	}
	if err := b.Resume(BatcherState{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Resume after Close: %v", err)
	}
	for range 100 {
		if runtime.NumGoroutine() <= before {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Close, %d before", n, before)
	}
	// No batch in an epoch: EOF at once, even when cycling.
	for _, c := range []struct {
		set  *Set
		opts BatchOptions
	}{{&Set{Grid: smallGrid}, BatchOptions{Size: 2, Epochs: -1}}, {toySet(3), BatchOptions{Size: 4, DropLast: true, Epochs: -1}}} {
		b, err := NewBatcher(c.set, Normalizer{}, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Next(); err != io.EOF {
			t.Errorf("empty epoch: %v", err)
		}
		b.Close()
	}
	if _, err := NewBatcher(set, Normalizer{}, BatchOptions{}); err == nil {
		t.Error("size 0 accepted")
	}
	bad := toySet(2)
	bad.Examples[1].Ivar = bad.Examples[1].Ivar[:5]
	if _, err := NewBatcher(bad, Normalizer{}, BatchOptions{Size: 1}); err == nil {
		t.Error("short ivar accepted")
	}
	// Recycled buffers are reused and overwritten correctly.
	b2, _ := NewBatcher(set, FitNormalizer(set), BatchOptions{Size: 3, Epochs: 1, Prefetch: 1})
	defer b2.Close()
	first, _ := b2.Next()
	keep := cloneBatch(first)
	b2.Recycle(first)
	var reused bool
	for {
		bt, err := b2.Next()
		if err != nil {
			break
		}
		reused = reused || bt == first
		if bt.IDs[0] == keep.IDs[0] || reflect.DeepEqual(bt.IDs, keep.IDs) {
			t.Error("a recycled batch kept old content")
		}
		b2.Recycle(bt)
	}
	if !reused {
		t.Error("recycled batch never reused")
	}
}

func TestSetAsBatch(t *testing.T) {
	g := prep.Grid{Log10Start: 3.5, Log10Step: 1e-4, N: 3}
	set := &Set{Grid: g, Examples: []Example{
		{ID: "a", Flux: []float32{1, 2, 3}, Ivar: []float32{4, 5, 6}},
		{ID: "b", Flux: []float32{7, 8, 9}, Ivar: []float32{0, 1, 0}},
	}}
	b := set.AsBatch()
	if b.Size != 2 || b.Pixels != 3 || !slices.Equal(b.Flux, []float32{1, 2, 3, 7, 8, 9}) ||
		!slices.Equal(b.Ivar, []float32{4, 5, 6, 0, 1, 0}) || !slices.Equal(b.IDs, []string{"a", "b"}) {
		t.Errorf("batch %+v", b)
	}
	if e := (&Set{Grid: g}).AsBatch(); e.Size != 0 || len(e.Flux) != 0 {
		t.Errorf("empty set: %+v", e)
	}
}
