package model

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// ErrCheckpoint reports a checkpoint file that cannot be read.
var ErrCheckpoint = errors.New("bad checkpoint")

// checkpointMagic starts every checkpoint file (version 1 of the format).
const checkpointMagic = "A1CKPT01"

// SavedVariable is one variable of a checkpoint: its context scope and
// name, whether it is trained, and its value.
type SavedVariable struct {
	Scope, Name string
	Trainable   bool
	Value       *tensors.Tensor
}

// savedHeader is one variable's entry in a checkpoint's JSON header.
type savedHeader struct {
	Scope     string `json:"scope"`
	Name      string `json:"name"`
	DType     string `json:"dtype"`
	Dims      []int  `json:"dims"`
	Trainable bool   `json:"trainable"`
}

// checkpointDTypes are the element types a checkpoint may hold.
var checkpointDTypes = map[string]dtypes.DType{}

func init() {
	for _, dt := range []dtypes.DType{dtypes.Float32, dtypes.Float64, dtypes.Int32, dtypes.Int64, dtypes.Uint32, dtypes.Uint64} {
		checkpointDTypes[dt.String()] = dt
	}
}

// maxCheckpointElements bounds one variable's element count (1 Gi).
const maxCheckpointElements = 1 << 30

// EncodeCheckpoint serialises variables in the checkpoint format:
//
//	"A1CKPT01" | uint32 LE header length | JSON header (a list of
//	{scope, name, dtype, dims, trainable}) | each value's raw
//	little-endian bytes, in header order | uint32 LE CRC-32 (IEEE) of
//	everything before it.
func EncodeCheckpoint(vars []SavedVariable) ([]byte, error) {
	hdr := make([]savedHeader, len(vars))
	for i, v := range vars {
		dt := v.Value.Shape().DType
		if _, ok := checkpointDTypes[dt.String()]; !ok {
			return nil, fmt.Errorf("encode checkpoint: variable %s/%s: unsupported dtype %s", v.Scope, v.Name, dt)
		}
		hdr[i] = savedHeader{Scope: v.Scope, Name: v.Name, DType: dt.String(), Dims: v.Value.Shape().Dimensions, Trainable: v.Trainable}
		if hdr[i].Dims == nil {
			hdr[i].Dims = []int{}
		}
	}
	js, err := json.Marshal(hdr)
	if err != nil {
		return nil, fmt.Errorf("encode checkpoint: %w", err)
	}
	var buf bytes.Buffer
	buf.WriteString(checkpointMagic)
	_ = binary.Write(&buf, binary.LittleEndian, uint32(len(js)))
	buf.Write(js)
	for _, v := range vars {
		if v.Value.Shape().Size() == 0 {
			continue // GoMLX cannot expose the bytes of an empty tensor; there are none
		}
		if err := v.Value.ConstBytes(func(data []byte) { buf.Write(data) }); err != nil {
			return nil, fmt.Errorf("encode checkpoint: variable %s/%s: %w", v.Scope, v.Name, err)
		}
	}
	_ = binary.Write(&buf, binary.LittleEndian, crc32.ChecksumIEEE(buf.Bytes()))
	return buf.Bytes(), nil
}

// DecodeCheckpoint parses a checkpoint written by EncodeCheckpoint. Any
// inconsistency (bad magic, header, sizes, dtype, trailing bytes or
// checksum) is an error wrapping ErrCheckpoint.
func DecodeCheckpoint(data []byte) ([]SavedVariable, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrCheckpoint, fmt.Sprintf(format, args...))
	}
	const fixed = len(checkpointMagic) + 4
	if len(data) < fixed+4 || string(data[:len(checkpointMagic)]) != checkpointMagic {
		return nil, bad("not a checkpoint (magic)")
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, bad("checksum mismatch (truncated or corrupt file)")
	}
	n := uint64(binary.LittleEndian.Uint32(data[len(checkpointMagic):]))
	if n > uint64(len(body)-fixed) {
		return nil, bad("header length %d beyond the file", n)
	}
	var hdr []savedHeader
	dec := json.NewDecoder(bytes.NewReader(body[fixed : fixed+int(n)]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&hdr); err != nil {
		return nil, bad("header: %v", err)
	}
	rest := body[fixed+int(n):]
	vars := make([]SavedVariable, 0, len(hdr))
	seen := make(map[[2]string]bool, len(hdr))
	for _, h := range hdr {
		dt, ok := checkpointDTypes[h.DType]
		if !ok {
			return nil, bad("variable %s/%s: dtype %q", h.Scope, h.Name, h.DType)
		}
		key := [2]string{h.Scope, h.Name}
		if h.Name == "" || seen[key] {
			return nil, bad("variable %q in scope %q: empty or repeated name", h.Name, h.Scope)
		}
		seen[key] = true
		elems := 1
		for _, d := range h.Dims {
			if d < 0 || (d > 0 && elems > maxCheckpointElements/d) {
				return nil, bad("variable %s/%s: dimensions %v", h.Scope, h.Name, h.Dims)
			}
			elems *= d
		}
		size := elems * dt.Size()
		if size > len(rest) {
			return nil, bad("variable %s/%s: %d bytes of data, %d left", h.Scope, h.Name, size, len(rest))
		}
		t := tensors.FromShape(shapes.Make(dt, h.Dims...))
		if size == 0 {
			vars = append(vars, SavedVariable{Scope: h.Scope, Name: h.Name, Trainable: h.Trainable, Value: t})
			continue
		}
		if err := t.MutableBytes(func(dst []byte) { copy(dst, rest[:size]) }); err != nil {
			return nil, bad("variable %s/%s: %v", h.Scope, h.Name, err)
		}
		rest = rest[size:]
		vars = append(vars, SavedVariable{Scope: h.Scope, Name: h.Name, Trainable: h.Trainable, Value: t})
	}
	if len(rest) != 0 {
		return nil, bad("%d bytes after the last variable", len(rest))
	}
	return vars, nil
}

// ContextVariables lists the context's variables with values, in creation
// order, for which keep returns true (all of them when keep is nil).
func ContextVariables(ctx *context.Context, keep func(v *context.Variable) bool) ([]SavedVariable, error) {
	var vars []SavedVariable
	for v := range ctx.IterVariables() {
		if keep != nil && !keep(v) {
			continue
		}
		t, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("variable %s: %w", v.ScopeAndName(), err)
		}
		vars = append(vars, SavedVariable{Scope: v.Scope(), Name: v.Name(), Trainable: v.Trainable, Value: t})
	}
	return vars, nil
}

// SaveCheckpoint writes the context's variables selected by keep (nil =
// all) to path atomically: to a temporary file in the same directory,
// synced, then renamed over path.
func SaveCheckpoint(path string, ctx *context.Context, keep func(v *context.Variable) bool) error {
	vars, err := ContextVariables(ctx, keep)
	if err != nil {
		return fmt.Errorf("save checkpoint %s: %w", path, err)
	}
	data, err := EncodeCheckpoint(vars)
	if err != nil {
		return fmt.Errorf("save checkpoint %s: %w", path, err)
	}
	if err := WriteFileAtomic(path, data); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	return nil
}

// LoadCheckpoint reads a checkpoint file and sets its variables in ctx,
// creating those that do not exist (in the checkpoint's order, with its
// trainable flags) and overwriting the values of those that do (their
// shapes must match).
func LoadCheckpoint(path string, ctx *context.Context) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("load checkpoint: %w", err)
	}
	vars, err := DecodeCheckpoint(data)
	if err != nil {
		return fmt.Errorf("load checkpoint %s: %w", path, err)
	}
	for _, sv := range vars {
		if v := ctx.GetVariableByScopeAndName(sv.Scope, sv.Name); v != nil {
			if !v.Shape().Equal(sv.Value.Shape()) {
				return fmt.Errorf("load checkpoint %s: variable %s/%s: shape %s in the file, %s in the model",
					path, sv.Scope, sv.Name, sv.Value.Shape(), v.Shape())
			}
			if err := v.SetValue(sv.Value); err != nil {
				return fmt.Errorf("load checkpoint %s: variable %s/%s: %w", path, sv.Scope, sv.Name, err)
			}
			v.SetTrainable(sv.Trainable)
			continue
		}
		ctx.InAbsPath(sv.Scope).Checked(false).VariableWithValue(sv.Name, sv.Value).SetTrainable(sv.Trainable)
	}
	return nil
}

// WriteFileAtomic writes data to a temporary file next to path, syncs it
// and renames it to path (mode 0644 before the umask), so that path holds
// either its old content or all of data, never a part.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644) // CreateTemp makes it 0600
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
