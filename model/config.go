package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// ErrConfig reports an invalid model or training configuration.
var ErrConfig = errors.New("invalid model config")

// Config describes the spectrum encoder, its heads and how it is trained.
// It is stored as config.json in every run directory. Sizes are in pixels
// of the input grid unless a name says otherwise.
type Config struct {
	Name   string `json:"name"`   // "tiny", "small", "base" or a user's name
	Pixels int    `json:"pixels"` // pixels per input spectrum (3908 on the LAMOST grid)
	Bin    int    `json:"bin"`    // pixels averaged (ivar-weighted) into one before patching; 1 = none
	Patch  int    `json:"patch"`  // binned pixels per token
	Stride int    `json:"stride"` // binned pixels between token starts (≤ Patch; < Patch overlaps)

	Dim int `json:"dim"` // model width d
	// EmbedHidden, when > 0, embeds each patch with a GELU MLP of this
	// hidden width instead of a linear map.
	EmbedHidden int     `json:"embed_hidden"`
	Layers      int     `json:"layers"`    // transformer blocks
	Heads       int     `json:"heads"`     // attention heads (Dim must be a multiple)
	MLPRatio    int     `json:"mlp_ratio"` // MLP hidden width = MLPRatio·Dim
	Dropout     float64 `json:"dropout"`   // dropout after attention and MLP, training only
	// FlatHead gives the class and parameter heads, besides the mean of
	// the token states (the embedding, which has no notion of where in the
	// spectrum a feature is), a Dim-wide linear map of all token states
	// concatenated: line depths at their wavelengths reach the heads
	// directly. It adds (Tokens+1)·Dim² weights.
	FlatHead bool `json:"flat_head"`
	// ClassFromParams gives the class head the parameter head's
	// standardised means (without gradient) besides its usual input: MK
	// types are, for stars, bins of Teff and log g, and the parameter head
	// sees the pixel head's line depths. Building the class head then
	// builds the parameter head too.
	ClassFromParams bool `json:"class_from_params"`
	// ContinuumChannel adds a third input channel per pixel: the flux
	// relative to a smooth pseudo-continuum, (f − c)/c, amplified (see
	// Prepare). Line depths of a few per cent, which carry logg and [Fe/H],
	// are lost next to the continuum shape in the z-scored flux alone.
	ContinuumChannel bool `json:"continuum_channel"`
	// PixelHead, when > 0 (and with ContinuumChannel), gives the
	// parameter head another input: a GELU layer of this width over the
	// continuum-relative fluxes of all pixels, a direct path to line
	// depths at their wavelengths as in data-driven spectroscopy (the
	// Cannon, the Payne), next to the transformer's summary. The class and
	// redshift heads do not see it (on 16k training spectra it slowed
	// their learning). It adds Tokens·Patch·PixelHead weights.
	PixelHead int `json:"pixel_head"`
	// RestFrameShift, when > 0 (with PixelHead), moves the pixel head's
	// input to the star's rest frame first: a shift head predicts from
	// the transformer's summary the Doppler shift of the lines in pixels
	// (RV / PixelKmS; trained with WShift times a Huber loss on spectra
	// with an RV), and the continuum-relative flux is resampled by it,
	// clipped to ±RestFrameShift pixels. A star's RV moves its lines by
	// one or two pixels, which a map of line depths at fixed pixels
	// otherwise blurs; the Cannon and the Payne fit in the rest frame.
	RestFrameShift int     `json:"rest_frame_shift"`
	PixelKmS       float64 `json:"pixel_kms"` // velocity step of one input pixel, km/s (LAMOSTPixelKmS)
	WShift         float64 `json:"w_shift"`
	// ZBins, when > 0, adds a redshift head: a softmax over ZBins equal
	// bins of ln(1+z) from 0 to ln(1+ZMax), trained with WZ times the
	// cross-entropy against a Gaussian-smoothed target (see ZTarget) on
	// spectra with a redshift (QSO, galaxy). The predicted z and its σ
	// come from this distribution (see DecodeZ) instead of the Gaussian
	// parameter head, which cannot place a line-identification problem's
	// several solutions.
	ZBins int     `json:"z_bins"`
	ZMax  float64 `json:"z_max"`
	WZ    float64 `json:"w_z"`
	// StarBins, when > 0, adds binned heads for Teff, log g and [Fe/H]
	// (StarBinnings: softmaxes over StarBins bins each, from the parameter
	// head's input), trained with WStarBins times their cross-entropy
	// against Gaussian-smoothed targets; predicted Teff, log g and [Fe/H]
	// and their σ then come from these (Binning.Decode). The Gaussian head
	// still gives RV and the means the class head reads. One standardised
	// regression over O to M stars has to resolve 100 K in a Teff range
	// of 40,000 K; bins of 75 K at 5,800 K make that a classification.
	StarBins  int     `json:"star_bins"`
	WStarBins float64 `json:"w_star_bins"`
	// ClassFromBins (with ClassFromParams and StarBins) gives the class
	// head also the binned heads' expected Teff, log g and [Fe/H] bins
	// (without gradient, standardised as (E[k] − N/2)/(N/4)): the MK type
	// is a function of Teff and log g, and the binned Teff is the finer.
	ClassFromBins bool `json:"class_from_bins"`
	// ZTemplates, when > 0 (with ZBins and ContinuumChannel), adds to
	// the redshift logits the correlation of the continuum-relative flux,
	// averaged over ZTemplateBin pixels, with this many learned rest-frame
	// templates at every redshift (a learned Redrock; see
	// zTemplateScores).
	ZTemplates   int `json:"z_templates"`
	ZTemplateBin int `json:"z_template_bin"`

	// Masked-patch reconstruction: the fraction of tokens masked in the
	// pretraining phase, in spans of MaskSpan consecutive tokens, and the
	// fraction masked during fine-tuning (when WRecon > 0).
	MaskRatio         float64 `json:"mask_ratio"`
	MaskSpan          int     `json:"mask_span"`
	FinetuneMaskRatio float64 `json:"finetune_mask_ratio"`

	// Loss weights of the fine-tuning phase: class cross-entropy, Gaussian
	// NLL of the parameters and λ for the reconstruction loss.
	WClass float64 `json:"w_class"`
	WReg   float64 `json:"w_reg"`
	WRecon float64 `json:"w_recon"`
	// NLLBeta is the β of the β-NLL used for the parameters in training
	// (0 = plain Gaussian NLL; see BetaNLL). Validation reports the plain NLL.
	NLLBeta float64 `json:"nll_beta"`

	// Optimisation: AdamW with a linear warm-up and cosine decay to
	// MinLRFrac·LearningRate in each phase, gradient clipping by global norm.
	LearningRate  float64 `json:"learning_rate"`
	MinLRFrac     float64 `json:"min_lr_frac"`
	WarmupSteps   int     `json:"warmup_steps"`   // per phase
	PretrainSteps int     `json:"pretrain_steps"` // optimizer steps of masked pretraining
	Steps         int     `json:"steps"`          // total optimizer steps (pretraining included)
	Batch         int     `json:"batch"`          // spectra per micro-batch
	Accumulation  int     `json:"accumulation"`   // micro-batches per optimizer step
	WeightDecay   float64 `json:"weight_decay"`   // AdamW decoupled weight decay
	ClipNorm      float64 `json:"clip_norm"`      // global gradient norm limit; 0 = none
	Seed          int64   `json:"seed"`           // initialisation, masks, batch order

	EvalEvery       int  `json:"eval_every"`       // optimizer steps between validations
	CheckpointEvery int  `json:"checkpoint_every"` // optimizer steps between checkpoints
	Patience        int  `json:"patience"`         // validations without improvement before stopping; 0 = never
	Augment         bool `json:"augment"`          // augment training batches (when the batch source supports it)
}

// NumFeatures is the number of per-spectrum summary features (the extra
// token): asinh(median/scale), log10 scale, log10(1+median pixel S/N) and
// the fraction of good pixels.
const NumFeatures = 4

// Channels returns the number of input channels per pixel: the z-scored
// flux, the noise channel and, with ContinuumChannel, the
// continuum-relative flux.
func (c Config) Channels() int {
	if c.ContinuumChannel {
		return 3
	}
	return 2
}

// TokenWidth returns the number of input values per patch token,
// Channels()·Patch.
func (c Config) TokenWidth() int { return c.Channels() * c.Patch }

// BinnedPixels returns the number of pixels after binning.
func (c Config) BinnedPixels() int { return (c.Pixels + c.Bin - 1) / c.Bin }

// Tokens returns the number of patch tokens: enough patches of Patch
// binned pixels every Stride pixels to cover the whole (binned) spectrum,
// the last one padded with empty pixels where needed. The model sees one
// more token, the summary-feature token, at position 0.
func (c Config) Tokens() int {
	n := c.BinnedPixels()
	if n <= c.Patch {
		return 1
	}
	return (n-c.Patch+c.Stride-1)/c.Stride + 1
}

// Validate checks the configuration for values the model cannot use.
func (c Config) Validate() error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if c.Pixels < 1 {
		bad("pixels %d < 1", c.Pixels)
	}
	if c.Bin < 1 {
		bad("bin %d < 1", c.Bin)
	}
	if c.Patch < 1 || c.Stride < 1 || c.Stride > c.Patch {
		bad("need 1 ≤ stride ≤ patch, got patch %d stride %d", c.Patch, c.Stride)
	}
	if c.Dim < 1 || c.Heads < 1 || c.Dim%max(c.Heads, 1) != 0 {
		bad("dim %d must be a positive multiple of heads %d", c.Dim, c.Heads)
	}
	if c.PixelHead < 0 || c.PixelHead > 1<<16 || (c.PixelHead > 0 && !c.ContinuumChannel) {
		bad("pixel_head %d needs 0 ≤ pixel_head ≤ 65536 and continuum_channel", c.PixelHead)
	}
	if c.RestFrameShift < 0 || c.RestFrameShift > 1024 || (c.RestFrameShift > 0 && (c.PixelHead == 0 || !(c.PixelKmS > 0) || c.WShift < 0)) {
		bad("rest_frame_shift %d needs ≤ 1024, pixel_head, pixel_kms > 0 and w_shift ≥ 0 (got pixel_kms %g, w_shift %g)", c.RestFrameShift, c.PixelKmS, c.WShift)
	}
	if c.EmbedHidden < 0 || c.EmbedHidden > 1<<16 {
		bad("embed_hidden %d", c.EmbedHidden)
	}
	if c.Layers < 0 || c.MLPRatio < 1 {
		bad("layers %d, mlp_ratio %d", c.Layers, c.MLPRatio)
	}
	if !(c.Dropout >= 0 && c.Dropout < 1) {
		bad("dropout %g not in [0, 1)", c.Dropout)
	}
	if !(c.MaskRatio >= 0 && c.MaskRatio < 1) || !(c.FinetuneMaskRatio >= 0 && c.FinetuneMaskRatio < 1) {
		bad("mask ratios %g, %g not in [0, 1)", c.MaskRatio, c.FinetuneMaskRatio)
	}
	if c.MaskSpan < 1 {
		bad("mask_span %d < 1", c.MaskSpan)
	}
	if !(c.NLLBeta >= 0 && c.NLLBeta <= 1) {
		bad("nll_beta %g not in [0, 1]", c.NLLBeta)
	}
	if c.ZBins < 0 || c.ZBins > 1<<16 || (c.ZBins > 0 && !(c.ZMax > 0 && c.ZMax < 1e4)) || !(c.WZ >= 0) {
		bad("z_bins %d, z_max %g, w_z %g: need 0 ≤ z_bins ≤ 65536 and, with bins, 0 < z_max < 10⁴, w_z ≥ 0", c.ZBins, c.ZMax, c.WZ)
	}
	if c.StarBins < 0 || c.StarBins > 1<<16 || c.StarBins == 1 || !(c.WStarBins >= 0) {
		bad("star_bins %d, w_star_bins %g: need 0 or 2 … 65536 bins and w_star_bins ≥ 0", c.StarBins, c.WStarBins)
	}
	if c.ClassFromBins && (!c.ClassFromParams || c.StarBins == 0) {
		bad("class_from_bins needs class_from_params and star_bins")
	}
	if c.ZTemplates < 0 || c.ZTemplates > 64 || (c.ZTemplates > 0 && (c.ZBins == 0 || !c.ContinuumChannel || !(c.PixelKmS > 0) || c.ZTemplateBin < 1 || c.ZTemplateBin > 1<<12)) {
		bad("z_templates %d needs ≤ 64, z_bins, continuum_channel, pixel_kms > 0 and 1 ≤ z_template_bin ≤ 4096 (got %d)", c.ZTemplates, c.ZTemplateBin)
	}
	if c.WClass < 0 || c.WReg < 0 || c.WRecon < 0 {
		bad("negative loss weight")
	}
	if !(c.LearningRate > 0) || !(c.MinLRFrac >= 0 && c.MinLRFrac <= 1) {
		bad("learning_rate %g, min_lr_frac %g", c.LearningRate, c.MinLRFrac)
	}
	if c.WarmupSteps < 0 || c.PretrainSteps < 0 || c.Steps < 0 || c.PretrainSteps > c.Steps {
		bad("need 0 ≤ pretrain_steps ≤ steps and warmup ≥ 0, got %d, %d, %d", c.PretrainSteps, c.Steps, c.WarmupSteps)
	}
	if c.Batch < 1 || c.Accumulation < 1 {
		bad("batch %d, accumulation %d", c.Batch, c.Accumulation)
	}
	if c.WeightDecay < 0 || c.ClipNorm < 0 {
		bad("weight_decay %g, clip_norm %g", c.WeightDecay, c.ClipNorm)
	}
	if c.EvalEvery < 1 || c.CheckpointEvery < 1 || c.Patience < 0 {
		bad("eval_every %d, checkpoint_every %d, patience %d", c.EvalEvery, c.CheckpointEvery, c.Patience)
	}
	const big = 1 << 22
	if c.Pixels > big || c.Bin > big || c.Patch > big || c.Dim > 1<<16 || c.Layers > 1024 || c.MLPRatio > 64 ||
		c.Batch > 1<<20 || c.Accumulation > 1<<20 || c.MaskSpan > big || c.Steps > 1<<40 {
		bad("a size is beyond the supported range")
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w %q: %s", ErrConfig, c.Name, strings.Join(errs, "; "))
	}
	return nil
}

// base is the shared default of the named sizes.
func base() Config {
	return Config{
		Pixels: 3908, Bin: 1, Patch: 20, Stride: 10,
		Dim: 128, Layers: 4, Heads: 4, MLPRatio: 4,
		MaskRatio: 0.3, MaskSpan: 3, FinetuneMaskRatio: 0.1,
		ContinuumChannel: true, ZBins: 256, ZMax: 4.5, PixelKmS: LAMOSTPixelKmS,
		WClass: 1, WReg: 1, WRecon: 0.1, WZ: 1, WStarBins: 1, NLLBeta: 0.5,
		LearningRate: 1e-3, MinLRFrac: 0.05, WarmupSteps: 100,
		PretrainSteps: 500, Steps: 3000, Batch: 32, Accumulation: 1,
		WeightDecay: 0.01, ClipNorm: 1, Seed: 1,
		EvalEvery: 100, CheckpointEvery: 100, Patience: 10,
		Augment: true,
	}
}

// ConfigByName returns a named configuration:
//
//   - "tiny": for tests and CI, a training step in well under a second on
//     one core: 4× binning, 40-pixel patches, d=32, one block, flat head,
//     64-bin redshift and stellar heads;
//   - "small": 64-pixel patches, d=64, 3 blocks, flat head, a 128-wide
//     pixel head reading the rest frame (a shift head, ±6 pixels), binned
//     Teff, log g and [Fe/H] heads (256 bins), the class head reading the
//     parameter means, and 256 redshift bins at twice the weight of the
//     class loss with 4 learned templates correlated at every redshift
//     (16-pixel resolution); 10,000 steps (1,000 of them masked
//     pretraining), about 19 minutes on two CPU cores with the AVX2
//     kernels of internal/simplegokernel; it meets the project's targets
//     (docs/EVALUATION.md, docs/BENCHMARKS.md);
//   - "base": the SpecFormer-sized encoder (20-pixel patches at stride 10
//     on the full grid, d=256, 6 blocks) for a GPU.
//
// All three use the continuum channel, β-NLL with β = 0.5 and a redshift
// head.
func ConfigByName(name string) (Config, error) {
	c := base()
	c.Name = name
	switch name {
	case "tiny":
		c.Bin, c.Patch, c.Stride = 4, 40, 40
		c.Dim, c.Layers, c.Heads, c.MLPRatio = 32, 1, 2, 2
		c.PretrainSteps, c.Steps, c.WarmupSteps = 20, 60, 5
		c.Batch, c.EvalEvery, c.CheckpointEvery, c.Patience = 16, 20, 20, 0
		c.LearningRate = 3e-3
		c.FlatHead, c.ZBins, c.StarBins = true, 64, 64
	case "small":
		// Non-overlapping 64-pixel patches at full resolution: 62 tokens.
		// Overlapping patches (stride 32, 123 tokens) cost 2.1× the step
		// time, most of it in attention (docs/BENCHMARKS.md).
		c.Bin, c.Patch, c.Stride = 1, 64, 64
		c.Dim, c.Layers, c.Heads, c.MLPRatio = 64, 3, 2, 2
		c.FlatHead, c.PixelHead, c.ClassFromParams = true, 128, true
		c.RestFrameShift, c.WShift = 6, 1
		c.StarBins = 256
		c.ZTemplates, c.ZTemplateBin = 4, 16
		c.WZ = 2
		c.MaskSpan = 2
		c.PretrainSteps, c.Steps, c.WarmupSteps = 1000, 10000, 100
		c.Batch, c.EvalEvery, c.CheckpointEvery, c.Patience = 32, 250, 250, 6
		c.LearningRate = 2e-3
	case "base":
		c.Dim, c.Layers, c.Heads, c.MLPRatio = 256, 6, 8, 4
		c.PretrainSteps, c.Steps, c.WarmupSteps = 5000, 30000, 1000
		c.Batch, c.EvalEvery, c.CheckpointEvery, c.Patience = 64, 1000, 1000, 10
		c.LearningRate, c.Dropout = 5e-4, 0.1
	default:
		return Config{}, fmt.Errorf("%w: no configuration named %q (want tiny, small or base)", ErrConfig, name)
	}
	return c, nil
}

// laterFeatures switch off, by their JSON key, features added to the
// named configurations after runs had been written without them.
var laterFeatures = map[string]func(*Config){
	"rest_frame_shift": func(c *Config) { c.RestFrameShift = 0 },
	"z_templates":      func(c *Config) { c.ZTemplates = 0 },
	"star_bins":        func(c *Config) { c.StarBins = 0 },
	"class_from_bins":  func(c *Config) { c.ClassFromBins = false },
}

// ParseConfig decodes a JSON configuration. Fields it omits keep the
// values of the named configuration given by its "name" field when that is
// tiny, small or base, and of "small" otherwise; unknown fields are an
// error. The result is validated.
func ParseConfig(data []byte) (Config, error) { return parseConfig(data, false) }

// parseConfig is ParseConfig; with ofRun, data is a run directory's
// config.json and the features in laterFeatures it does not name are off.
func parseConfig(data []byte, ofRun bool) (Config, error) {
	var probe struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return Config{}, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	c, err := ConfigByName(probe.Name)
	if err != nil {
		c, _ = ConfigByName("small")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	if ofRun {
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(data, &keys); err != nil {
			return Config{}, fmt.Errorf("%w: %v", ErrConfig, err)
		}
		// A run written before a feature existed did not use it: its
		// config lacks the feature's switch, which must not default to the
		// named configuration's current value (its checkpoint has no such
		// weights).
		for key, off := range laterFeatures {
			if _, ok := keys[key]; !ok {
				off(&c)
			}
		}
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// LoadConfig reads a JSON configuration file (see ParseConfig).
func LoadConfig(path string) (Config, error) { return loadConfig(path, false) }

// LoadRunConfig reads a run directory's config.json (ConfigFile): as
// LoadConfig, except that features added to the named configurations
// after the run was written stay off when the file does not name them.
func LoadRunConfig(path string) (Config, error) { return loadConfig(path, true) }

func loadConfig(path string, ofRun bool) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("load config: %w", err)
	}
	c, err := parseConfig(data, ofRun)
	if err != nil {
		return Config{}, fmt.Errorf("load config %s: %w", path, err)
	}
	return c, nil
}

// ConfigByNameOrFile returns ConfigByName(s) for a known name and
// LoadConfig(s) otherwise.
func ConfigByNameOrFile(s string) (Config, error) {
	switch s {
	case "tiny", "small", "base":
		return ConfigByName(s)
	}
	return LoadConfig(s)
}

// JSON returns the configuration as indented JSON.
func (c Config) JSON() []byte {
	data, _ := json.MarshalIndent(c, "", "  ")
	return append(data, '\n')
}
