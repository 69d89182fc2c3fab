package model

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestConfigByName(t *testing.T) {
	for _, name := range []string{"tiny", "small", "base"} {
		c, err := ConfigByName(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if c.Name != name {
			t.Errorf("name %q, want %q", c.Name, name)
		}
	}
	if _, err := ConfigByName("huge"); !errors.Is(err, ErrConfig) {
		t.Errorf("unknown name: error %v, want ErrConfig", err)
	}
}

func TestTokens(t *testing.T) {
	for _, tc := range []struct {
		pixels, bin, patch, stride, want int
	}{
		{3908, 1, 20, 10, 390}, // (3908−20)/10 = 388.8 → 389 steps + 1
		{3908, 2, 32, 16, 122}, // 1954 binned: (1954−32)/16 = 120.1 → 121 + 1
		{3908, 4, 40, 40, 25},  // 977 binned: 937/40 = 23.4 → 24 + 1
		{100, 1, 20, 20, 5},    // exact fit
		{10, 1, 20, 10, 1},     // shorter than a patch
		{101, 1, 20, 20, 6},    // one pixel spills into a padded sixth patch
	} {
		c := Config{Pixels: tc.pixels, Bin: tc.bin, Patch: tc.patch, Stride: tc.stride}
		if got := c.Tokens(); got != tc.want {
			t.Errorf("%+v: Tokens() = %d, want %d", tc, got, tc.want)
		}
		// Every binned pixel is inside some patch.
		if last := (c.Tokens()-1)*c.Stride + c.Patch; last < c.BinnedPixels() {
			t.Errorf("%+v: patches end at %d, binned pixels %d", tc, last, c.BinnedPixels())
		}
	}
}

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig([]byte(`{"name": "tiny", "dim": 48, "heads": 3}`))
	if err != nil {
		t.Fatal(err)
	}
	tiny, _ := ConfigByName("tiny")
	if c.Dim != 48 || c.Heads != 3 || c.Patch != tiny.Patch || c.Layers != tiny.Layers {
		t.Errorf("overrides not applied on tiny: %+v", c)
	}
	c, err = ParseConfig([]byte(`{"name": "mine", "layers": 5}`))
	if err != nil {
		t.Fatal(err)
	}
	small, _ := ConfigByName("small")
	if c.Name != "mine" || c.Layers != 5 || c.Dim != small.Dim {
		t.Errorf("custom name should start from small: %+v", c)
	}
	for _, bad := range []string{
		`{"name": "tiny", "dimm": 3}`,    // unknown field
		`{"name": "tiny", "dim": 31}`,    // not a multiple of heads (2)
		`{"name": "tiny", "stride": 80}`, // stride > patch
		`[1, 2]`,
		`{"name": "tiny", "pretrain_steps": 1000}`, // more than steps
	} {
		if _, err := ParseConfig([]byte(bad)); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: error %v, want ErrConfig", bad, err)
		}
	}
}

func TestLoadConfigRoundTrip(t *testing.T) {
	c, _ := ConfigByName("small")
	c.Name, c.Seed, c.Dropout = "custom", 42, 0.25
	path := filepath.Join(t.TempDir(), "c.json")
	if err := os.WriteFile(path, c.JSON(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != c {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, c)
	}
	if got, err := ConfigByNameOrFile(path); err != nil || got != c {
		t.Errorf("ConfigByNameOrFile(file) = %+v, %v", got, err)
	}
	if got, err := ConfigByNameOrFile("tiny"); err != nil || got.Name != "tiny" {
		t.Errorf("ConfigByNameOrFile(tiny) = %+v, %v", got, err)
	}
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("missing file: no error")
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"name": "tiny"}`))
	f.Add([]byte(`{"name": "small", "bin": 0}`))
	f.Add([]byte(`{"name": "x", "patch": 1, "stride": 1, "dim": 1, "heads": 1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("ParseConfig accepted an invalid config: %v", err)
		}
		if c.Tokens() < 1 {
			t.Fatalf("Tokens() = %d", c.Tokens())
		}
	})
}
