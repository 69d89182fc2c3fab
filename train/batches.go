package train

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"github.com/astroone/astroone-go/dataset"
)

// Batches is a stream of training batches. dataset.Batcher satisfies it.
// Next returns io.EOF at the end of an epoch; the training loop then asks
// NewBatches for the next epoch's stream.
type Batches interface {
	Next() (*dataset.Batch, error)
	Close() error
}

// NewBatchesFunc opens one epoch's stream of batches of size examples of
// set, with targets standardised by norm. The stream must be a
// deterministic function of its arguments (seed differs per epoch) for
// runs to be reproducible and resumable.
type NewBatchesFunc func(set *dataset.Set, norm dataset.Normalizer, size int, seed int64, augment bool) (Batches, error)

// ShuffledBatches is the default NewBatchesFunc: the examples in a
// seeded random order, in full batches (the remainder of the epoch is
// dropped), without augmentation (augment is ignored).
func ShuffledBatches(set *dataset.Set, norm dataset.Normalizer, size int, seed int64, _ bool) (Batches, error) {
	n := len(set.Examples)
	if size < 1 || n < size {
		return nil, fmt.Errorf("batches: %d training examples, fewer than a batch of %d", n, size)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	return &shuffled{set: set, norm: norm, size: size, order: rng.Perm(n)}, nil
}

// shuffled is ShuffledBatches' stream.
type shuffled struct {
	set   *dataset.Set
	norm  dataset.Normalizer
	size  int
	order []int
	pos   int
}

// Next returns the next full batch or io.EOF.
func (s *shuffled) Next() (*dataset.Batch, error) {
	if s.pos+s.size > len(s.order) {
		return nil, io.EOF
	}
	idx := s.order[s.pos : s.pos+s.size]
	s.pos += s.size
	return makeBatch(s.set, s.norm, idx)
}

// Close does nothing.
func (s *shuffled) Close() error { return nil }

// makeBatch assembles the examples idx of set into a batch, standardising
// the targets with norm (see encodeLabels).
func makeBatch(set *dataset.Set, norm dataset.Normalizer, idx []int) (*dataset.Batch, error) {
	if len(idx) == 0 {
		return nil, errors.New("batch: no examples")
	}
	px := len(set.Examples[idx[0]].Flux)
	b := &dataset.Batch{
		Size: len(idx), Pixels: px,
		Flux: make([]float32, len(idx)*px), Ivar: make([]float32, len(idx)*px),
		Class: make([]int32, len(idx)),
		Y:     make([]float32, len(idx)*dataset.NumParams), W: make([]float32, len(idx)*dataset.NumParams),
		SNR: make([]float32, len(idx)), IDs: make([]string, len(idx)),
	}
	for r, i := range idx {
		e := &set.Examples[i]
		if len(e.Flux) != px || len(e.Ivar) != px {
			return nil, fmt.Errorf("batch: example %s has %d flux and %d ivar values, want %d", e.ID, len(e.Flux), len(e.Ivar), px)
		}
		copy(b.Flux[r*px:], e.Flux)
		copy(b.Ivar[r*px:], e.Ivar)
		b.Class[r] = int32(e.Labels.Class)
		if e.Labels.Class < 0 || e.Labels.Class >= dataset.NumClasses {
			b.Class[r] = -1
		}
		y, w := encodeLabels(norm, e.Labels)
		copy(b.Y[r*dataset.NumParams:], y[:])
		copy(b.W[r*dataset.NumParams:], w[:])
		b.SNR[r] = float32(e.Labels.SNR)
		b.IDs[r] = e.ID
	}
	return b, nil
}

// encodeLabels standardises the parameters of l with the Normalizer
// convention y = (f(p) − Mean)/Std (f = log10 where Log is set): weight 1
// where the result is finite, else y = 0 and weight 0.
func encodeLabels(n dataset.Normalizer, l dataset.Labels) (y, w [dataset.NumParams]float32) {
	for k, p := range l.Params {
		if n.Log[k] {
			p = math.Log10(p)
		}
		v := (p - n.Mean[k]) / n.Std[k]
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			y[k], w[k] = float32(v), 1
		}
	}
	return y, w
}

// FitNormalizer fits the target standardisation on the examples of set:
// per parameter the mean and standard deviation of the defined (finite)
// values, of log10 Teff for the temperature (and of no other parameter).
// A parameter with fewer than two values, or no spread, gets mean 0 and
// standard deviation 1.
func FitNormalizer(set *dataset.Set) dataset.Normalizer {
	var n dataset.Normalizer
	n.Log[dataset.ParamTeff] = true
	for k := range dataset.NumParams {
		var sum, sum2 float64
		var cnt int
		for i := range set.Examples {
			p := set.Examples[i].Labels.Params[k]
			if n.Log[k] {
				p = math.Log10(p)
			}
			if math.IsNaN(p) || math.IsInf(p, 0) {
				continue
			}
			sum += p
			sum2 += p * p
			cnt++
		}
		n.Mean[k], n.Std[k] = 0, 1
		if cnt >= 2 {
			mean := sum / float64(cnt)
			sd := math.Sqrt(math.Max(sum2/float64(cnt)-mean*mean, 0))
			if sd > 1e-12 {
				n.Mean[k], n.Std[k] = mean, sd
			}
		}
	}
	return n
}

// prefetcher runs a batch source in a goroutine, keeping up to depth
// prepared items ahead of the consumer.
type prefetcher[T any] struct {
	ch   chan prefetched[T]
	stop chan struct{}
	done chan struct{}
}

// prefetched is one item or the error that ended the stream.
type prefetched[T any] struct {
	v   T
	err error
}

// newPrefetcher starts calling next in a goroutine until it returns an
// error (which is delivered in order, then the stream ends) or stop.
func newPrefetcher[T any](depth int, next func() (T, error)) *prefetcher[T] {
	p := &prefetcher[T]{ch: make(chan prefetched[T], depth), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		defer close(p.ch)
		for {
			v, err := next()
			select {
			case p.ch <- prefetched[T]{v, err}:
			case <-p.stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return p
}

// get returns the next item.
func (p *prefetcher[T]) get() (T, error) {
	it, ok := <-p.ch
	if !ok {
		var zero T
		return zero, errors.New("prefetch: stream closed")
	}
	return it.v, it.err
}

// close stops the goroutine and waits for it.
func (p *prefetcher[T]) close() {
	close(p.stop)
	for range p.ch {
	}
	<-p.done
}
