package sqlite

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"sync"
)

// deflate compresses b (DEFLATE, RFC 1951) with level and, when dict is not nil, a preset
// dictionary (the window starts with it, so that a short input refers to its strings).
// Writers without a dictionary are reused (a new flate.Writer allocates and clears ~1 MB of
// tables: most of a small snapshot's cost, see the README's Performance section).
func deflate(b []byte, level int, dict []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b)/2 + 16)
	if dict != nil || level < flate.HuffmanOnly || level > flate.BestCompression {
		w, err := flate.NewWriterDict(&out, level, dict)
		if err != nil {
			panic(err) // only for a level out of range, which callers never pass
		}
		w.Write(b) // writes to a bytes.Buffer do not fail
		w.Close()
		return out.Bytes()
	}
	pool := &deflaters[level-flate.HuffmanOnly]
	w, _ := pool.Get().(*flate.Writer)
	if w == nil {
		w, _ = flate.NewWriter(&out, level) // the level is in range
	} else {
		w.Reset(&out)
	}
	w.Write(b)
	w.Close()
	pool.Put(w)
	return out.Bytes()
}

// deflaters holds reusable writers without a dictionary, one pool per level.
var deflaters [flate.BestCompression - flate.HuffmanOnly + 1]sync.Pool

// inflate decompresses what deflate wrote with the same dict; more than limit bytes of output
// are an error, so that a damaged row cannot make a reader allocate without bound.
func inflate(b []byte, dict []byte, limit int) ([]byte, error) {
	r := inflaters.Get().(io.ReadCloser)
	defer inflaters.Put(r)
	if err := r.(flate.Resetter).Reset(bytes.NewReader(b), dict); err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("inflate: %w", err)
	}
	if len(out) > limit {
		return nil, fmt.Errorf("inflate: more than %d bytes", limit)
	}
	return out, nil
}

var inflaters = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}
