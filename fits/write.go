package fits

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Write encodes hdus as a FITS file. The first HDU becomes the primary and
// must be an image (possibly empty, Image nil); later HDUs become IMAGE or
// BINTABLE extensions. A file of up to a few MiB reaches w in one Write
// call; larger ones in pieces of about 4 MiB. On error, part of the file
// may have been written (WriteFile never leaves a partial file behind).
func Write(w io.Writer, hdus ...*HDU) error {
	if len(hdus) == 0 {
		return errors.New("fits: write: no HDUs")
	}
	e := newEncoder(w)
	defer e.release()
	for i, h := range hdus {
		if h == nil {
			return fmt.Errorf("fits: write HDU %d: nil HDU", i)
		}
		if err := e.hdu(h, i, len(hdus) > 1); err != nil {
			return fmt.Errorf("fits: write HDU %d: %w", i, err)
		}
	}
	return e.flush()
}

// WriteFile writes hdus to path atomically (a temporary file in the same
// directory, then renamed): a crash of the process never leaves a
// half-written file at path. The file is not fsynced (like astropy and
// cfitsio; a simulator writing thousands of files would spend most of its
// time in fsync): callers that need durability across power loss sync the
// directory themselves. A path ending in ".gz" is gzipped. The file gets
// mode 0644, readable by all like a file made by os.Create.
//
// The file is encoded in a reused buffer and written with one write
// system call when it is smaller than about 4 MiB (gzipped or not).
func WriteFile(path string, hdus ...*HDU) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	err = tmp.Chmod(0o644) // CreateTemp makes files private (0600)
	if err == nil {
		if strings.HasSuffix(path, ".gz") {
			err = writeGzip(tmp, hdus)
		} else {
			err = Write(tmp, hdus...)
		}
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// gzipPool holds gzip writers between files: a new one allocates about
// 1 MB of compressor state on its first write, Reset keeps it.
var gzipPool = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}

// writeGzip writes the gzip (default level, no name or time in the gzip
// header) of the FITS encoding of hdus to w. The compressed stream is
// collected in a buffer first: the compressor emits pieces of a few
// hundred bytes, each of which would otherwise be a system call.
func writeGzip(w io.Writer, hdus []*HDU) error {
	cw := &chunkWriter{w: w, buf: getBuf()}
	defer func() { putBuf(cw.buf) }()
	zw := gzipPool.Get().(*gzip.Writer)
	zw.Reset(cw)
	err := Write(zw, hdus...)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	zw.Reset(nil) // drop the reference to w before pooling
	gzipPool.Put(zw)
	if err == nil {
		err = cw.flush()
	}
	return err
}

// chunkWriter collects writes and passes them on to w in pieces of at
// least flushSize bytes (and the rest on flush).
type chunkWriter struct {
	w   io.Writer
	buf []byte
}

// Write appends p and passes the buffer on once it reaches flushSize.
func (c *chunkWriter) Write(p []byte) (int, error) {
	c.buf = append(c.buf, p...)
	if len(c.buf) >= flushSize {
		if err := c.flush(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (c *chunkWriter) flush() error {
	if len(c.buf) == 0 {
		return nil
	}
	_, err := c.w.Write(c.buf)
	c.buf = c.buf[:0]
	return err
}

// flushSize is the buffered size at which the writers pass data on: files
// below it are written in one call, larger ones need no more than about
// twice this in buffers.
const flushSize = 4 << 20

// maxPooledBuf is the largest buffer kept for reuse.
const maxPooledBuf = 16 << 20

// bufPool holds output buffers between files.
var bufPool sync.Pool

// getBuf returns an empty buffer, reused when one is free.
func getBuf() []byte {
	if p, ok := bufPool.Get().(*[]byte); ok {
		return (*p)[:0]
	}
	return make([]byte, 0, 128<<10)
}

// putBuf returns a buffer for reuse; very large ones are left to the
// garbage collector.
func putBuf(b []byte) {
	if cap(b) == 0 || cap(b) > maxPooledBuf {
		return
	}
	b = b[:0]
	bufPool.Put(&b)
}
