package train

import (
	"errors"

	"github.com/astroone/astroone-go/dataset"
)

// DefaultAugment is the augmentation of training batches when
// Config.Augment is set and Options.Augment is nil: radial velocities
// shifted by N(0, 30 km/s), half of the spectra degraded to an S/N drawn
// log-uniformly down to 10, and the flux scaled by a factor in [0.5, 2].
var DefaultAugment = dataset.Augment{RVSigmaKmS: 30, MinSNR: 10, KeepSNRProb: 0.5, FluxScale: [2]float64{0.5, 2}}

// prefetcher runs a batch source in a goroutine, keeping up to depth
// prepared items ahead of the consumer.
type prefetcher[T any] struct {
	ch      chan prefetched[T]
	stop    chan struct{}
	done    chan struct{}
	cleanup func()
}

// prefetched is one item or the error that ended the stream.
type prefetched[T any] struct {
	v   T
	err error
}

// newPrefetcher starts calling next in a goroutine until it returns an
// error (which is delivered in order, then the stream ends) or close is
// called; close then runs cleanup (if not nil) once the goroutine is done.
func newPrefetcher[T any](depth int, next func() (T, error), cleanup func()) *prefetcher[T] {
	p := &prefetcher[T]{ch: make(chan prefetched[T], depth), stop: make(chan struct{}), done: make(chan struct{}), cleanup: cleanup}
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
	if p.cleanup != nil {
		p.cleanup()
	}
}
