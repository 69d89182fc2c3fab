package dataset

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
)

// BatchOptions configures a Batcher.
type BatchOptions struct {
	Size     int      // examples per batch; must be > 0
	Seed     uint64   // seeds the shuffling and the augmentation
	Shuffle  bool     // a new random order each epoch; otherwise the set's order
	Augment  *Augment // applied to every example when not nil
	Prefetch int      // batches assembled ahead in the background; <= 0 means 2
	DropLast bool     // drop an epoch's last batch when it has fewer than Size examples
	// Epochs is the number of passes over the set before Next returns
	// io.EOF: 0 means 1, a negative number means cycle for ever.
	Epochs int
}

// BatcherState is a position in the stream of batches: the next batch
// starts at position Offset of epoch Epoch's order. Saving it with a
// checkpoint and passing it to Resume gives exactly the batches an
// uninterrupted run would have seen.
type BatcherState struct {
	Epoch  int `json:"epoch"`
	Offset int `json:"offset"`
}

// ErrClosed is returned by Next after Close.
var ErrClosed = errors.New("batcher closed")

// Batcher cuts a set into batches, assembled by a background goroutine
// up to Prefetch batches ahead. The batch at a given position (epoch,
// offset) depends only on the set, the normaliser and the options: the
// order of epoch e is a permutation drawn from PCG(Seed, e), and the
// augmentation of the example at position p of epoch e draws from its own
// generator seeded by (Seed, e, p). Timing and prefetching change nothing.
//
// Next, State, Resume and Close are for one consumer goroutine; Recycle may
// be called from any goroutine.
type Batcher struct {
	set    *Set
	norm   Normalizer
	opts   BatchOptions
	pixels int

	free  chan *Batch // recycled batches, reused by the producer
	out   chan produced
	stop  chan struct{}
	done  chan struct{}
	state BatcherState
	// closed is set by Close; Next then reports ErrClosed.
	closed bool
}

// produced is one batch and the position after it.
type produced struct {
	b    *Batch
	next BatcherState
}

// NewBatcher returns a Batcher over set, positioned at the start of epoch
// 0, and starts its producer; call Close when done. It fails when
// opts.Size is not positive or an example's Flux or Ivar does not have one
// value per grid pixel. The set's examples are read, never written, by
// the producer: do not modify them while the batcher is open.
func NewBatcher(set *Set, norm Normalizer, opts BatchOptions) (*Batcher, error) {
	if opts.Size <= 0 {
		return nil, fmt.Errorf("batcher: batch size %d must be > 0", opts.Size)
	}
	if opts.Prefetch <= 0 {
		opts.Prefetch = 2
	}
	n := set.Grid.N
	for i := range set.Examples {
		if ex := &set.Examples[i]; len(ex.Flux) != n || len(ex.Ivar) != n {
			return nil, fmt.Errorf("batcher: example %d (%s) has %d flux and %d ivar values, grid has %d pixels",
				i, ex.ID, len(ex.Flux), len(ex.Ivar), n)
		}
	}
	b := &Batcher{set: set, norm: norm, opts: opts, pixels: n, free: make(chan *Batch, opts.Prefetch+2)}
	b.start()
	return b, nil
}

// BatchesPerEpoch returns the number of batches in one epoch.
func (b *Batcher) BatchesPerEpoch() int {
	n := len(b.set.Examples)
	if b.opts.DropLast {
		return n / b.opts.Size
	}
	return (n + b.opts.Size - 1) / b.opts.Size
}

// Next returns the next batch. It returns io.EOF after the last epoch
// (at once if an epoch has no batch), and ErrClosed after Close. The
// batch is the caller's until it is passed to Recycle.
func (b *Batcher) Next() (*Batch, error) {
	if b.closed {
		return nil, ErrClosed
	}
	p, ok := <-b.out
	if !ok {
		return nil, io.EOF
	}
	b.state = p.next
	return p.b, nil
}

// Recycle hands a batch returned by Next back for reuse; the caller must
// not touch it afterwards. Recycling is optional: batches that are not
// recycled are garbage-collected.
func (b *Batcher) Recycle(batch *Batch) {
	if batch == nil {
		return
	}
	select {
	case b.free <- batch:
	default:
	}
}

// State returns the position of the batch the next call to Next returns.
func (b *Batcher) State() BatcherState { return b.state }

// Resume repositions the batcher so that Next continues from st (as
// returned by State): batches assembled ahead are discarded and the
// producer restarts there. It fails when st is not a position of this
// set (a negative epoch, or an offset outside the set).
func (b *Batcher) Resume(st BatcherState) error {
	if b.closed {
		return ErrClosed
	}
	if st.Epoch < 0 || st.Offset < 0 || (st.Offset > 0 && st.Offset >= len(b.set.Examples)) {
		return fmt.Errorf("batcher: cannot resume at epoch %d offset %d of a set of %d", st.Epoch, st.Offset, len(b.set.Examples))
	}
	b.halt()
	b.state = st
	b.start()
	return nil
}

// Close stops the producer and waits for it; Next then returns ErrClosed.
// Close may be called more than once.
func (b *Batcher) Close() error {
	if !b.closed {
		b.closed = true
		b.halt()
	}
	return nil
}

// start launches a producer from b.state.
func (b *Batcher) start() {
	b.out = make(chan produced, b.opts.Prefetch-1) // plus the one the producer holds while blocked
	b.stop = make(chan struct{})
	b.done = make(chan struct{})
	go b.produce(b.state, b.out, b.stop, b.done)
}

// halt stops the producer and discards what it assembled.
func (b *Batcher) halt() {
	close(b.stop)
	<-b.done
	for p := range b.out {
		b.Recycle(p.b)
	}
}

// produce assembles batches from position st and sends them on out until
// the last epoch ends or stop is closed; it closes out and done when it
// returns.
func (b *Batcher) produce(st BatcherState, out chan<- produced, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	defer close(out)
	n, size := len(b.set.Examples), b.opts.Size
	if b.BatchesPerEpoch() == 0 {
		return
	}
	epochs := b.opts.Epochs
	if epochs == 0 {
		epochs = 1
	}
	var (
		order   []int
		scratch Example
		pcg     rand.PCG
		rng     = rand.New(&pcg)
	)
	for e := st.Epoch; epochs < 0 || e < epochs; e++ {
		order = b.order(e, order)
		off := 0
		if e == st.Epoch {
			off = st.Offset
		}
		for ; off < n; off += size {
			m := min(size, n-off)
			if m < size && b.opts.DropLast {
				break
			}
			batch := b.batchBuffer(m)
			for r := range m {
				pos := off + r
				ex := &b.set.Examples[order[pos]]
				if b.opts.Augment != nil {
					pcg.Seed(b.opts.Seed^augmentSalt, uint64(e)<<32^uint64(pos))
					b.opts.Augment.Apply(rng, ex, b.set.Grid, &scratch)
					ex = &scratch
				}
				b.fill(batch, r, ex)
			}
			next := BatcherState{Epoch: e, Offset: off + m}
			if rest := n - next.Offset; rest == 0 || (b.opts.DropLast && rest < size) {
				next = BatcherState{Epoch: e + 1}
			}
			select {
			case out <- produced{batch, next}:
			case <-stop:
				return
			}
		}
	}
}

// augmentSalt separates the augmentation's random streams from the
// shuffling's (both are seeded from BatchOptions.Seed).
const augmentSalt = 0x9e3779b97f4a7c15

// order returns the example order of epoch e, reusing buf.
func (b *Batcher) order(e int, buf []int) []int {
	n := len(b.set.Examples)
	if cap(buf) < n {
		buf = make([]int, n)
	}
	buf = buf[:n]
	for i := range buf {
		buf[i] = i
	}
	if b.opts.Shuffle {
		rng := rand.New(rand.NewPCG(b.opts.Seed, uint64(e)))
		rng.Shuffle(n, func(i, j int) { buf[i], buf[j] = buf[j], buf[i] })
	}
	return buf
}

// batchBuffer returns a batch of m examples, reusing a recycled one when
// there is one.
func (b *Batcher) batchBuffer(m int) *Batch {
	var batch *Batch
	select {
	case batch = <-b.free:
	default:
		batch = new(Batch)
	}
	p := b.pixels
	batch.Size, batch.Pixels = m, p
	batch.Flux = grow(batch.Flux, m*p)
	batch.Ivar = grow(batch.Ivar, m*p)
	batch.Y = grow(batch.Y, m*NumParams)
	batch.W = grow(batch.W, m*NumParams)
	batch.SNR = grow(batch.SNR, m)
	if cap(batch.Class) >= m {
		batch.Class = batch.Class[:m]
	} else {
		batch.Class = make([]int32, m)
	}
	if cap(batch.IDs) >= m {
		batch.IDs = batch.IDs[:m]
	} else {
		batch.IDs = make([]string, m)
	}
	return batch
}

// fill writes ex into row r of batch.
func (b *Batcher) fill(batch *Batch, r int, ex *Example) {
	p := b.pixels
	copy(batch.Flux[r*p:(r+1)*p], ex.Flux)
	copy(batch.Ivar[r*p:(r+1)*p], ex.Ivar)
	y, w := b.norm.Encode(ex.Labels.Params)
	copy(batch.Y[r*NumParams:], y[:])
	copy(batch.W[r*NumParams:], w[:])
	batch.Class[r] = int32(ex.Labels.Class)
	snr := float32(ex.Labels.SNR)
	if math.IsInf(ex.Labels.SNR, 0) {
		snr = float32(math.NaN())
	}
	batch.SNR[r] = snr
	batch.IDs[r] = ex.ID
}

// AsBatch returns every example of the set as one Batch for prediction:
// flux, ivar and ids in the set's order, without targets or weights.
func (s *Set) AsBatch() *Batch {
	n, p := len(s.Examples), s.Grid.N
	b := &Batch{Size: n, Pixels: p, Flux: make([]float32, 0, n*p), Ivar: make([]float32, 0, n*p), IDs: make([]string, 0, n)}
	for _, ex := range s.Examples {
		b.Flux = append(b.Flux, ex.Flux...)
		b.Ivar = append(b.Ivar, ex.Ivar...)
		b.IDs = append(b.IDs, ex.ID)
	}
	return b
}
