// Package prep prepares one-dimensional spectra (spectrum.Spectrum) for
// storage, training and inference: resampling onto common grids, continuum
// normalisation, rest-frame and air/vacuum conversion, Galactic extinction
// and instrument-response corrections, signal-to-noise estimates and
// bad-pixel masking.
//
// Every routine validates its input, returns a new spectrum (the input is
// never modified) and wraps its errors with context; the sentinel errors
// ErrOutOfRange, ErrTooFewPixels and ErrBadParameter (and
// spectrum.ErrInvalid) can be tested with errors.Is. Pixels that a routine
// cannot compute are never left NaN or silently zero: they get flux 0,
// ivar 0 and spectrum.MaskBad in AndMask and OrMask. A pixel is "good"
// (PixelOK) when its flux is finite, its ivar positive and MaskBad unset.
// Wavelengths are in Å, velocities in km/s.
//
// A typical pipeline is MaskBadPixels (which also cleans NaN or negative
// ivar, which the other routines reject), ToVacuum, Deredden, ShiftRV or
// ToRestFrame, Resample onto LAMOSTGrid or SDSSGrid, then Normalize.
//
// # Grids and resampling
//
// Grid is a log10-uniform wavelength grid (LAMOSTGrid: 3908 pixels from
// log10 λ = 3.5682, step 1e-4; SDSSGrid: a BOSS-like 4648-pixel grid from
// 3.5523). Resample rebins flux-conservingly: each output pixel is the
// overlap-weighted mean of the input flux density, with edges derived from
// the input centres (PixelEdges), inverse variances propagated as
// σ² = Σw²σ²/(Σw)², bad pixels excluded with renormalised weights, and
// masks combined by AND/OR.
//
// # Continuum
//
// FitContinuum fits an ivar-weighted Legendre series (in wavelength scaled
// to [−1, 1]) or a cubic B-spline with quantile-placed knots, by Householder
// QR least squares with iterative asymmetric sigma clipping (default −2σ,
// +3σ) so that absorption lines do not drag the continuum down. Normalize
// divides by it (ivar·c²).
//
// # Frames and wavelengths
//
// ToRestFrame divides wavelengths by 1+z and multiplies f_λ by 1+z (ivar by
// (1+z)⁻²), conserving ∫f_λ dλ. DopplerZ is the relativistic
// z = √((1+β)/(1−β)) − 1 and ShiftRV removes a radial velocity.
// VacuumToAir uses the dispersion of standard air of Ciddor (1996),
// as used by SDSS; AirToVacuum is its exact iterative inverse (10⁻¹⁰ Å);
// both leave λ < 2000 Å unchanged. ToVacuum and ToAir convert a spectrum
// and its Vacuum flag.
//
// # Extinction
//
// CCM89 (Cardelli, Clayton & Mathis 1989, ApJ 345, 245; 1000 Å – 3.33 µm),
// ODonnell94 (CCM89 with O'Donnell 1994, ApJ 422, 158 optical coefficients)
// and Fitzpatrick99 (Fitzpatrick 1999, PASP 111, 63: Fitzpatrick & Massa
// 1990 UV curve plus a natural cubic spline through the updated optical/IR
// anchor points; 910 Å – 6 µm) return A(λ)/A_V. They reproduce ccm89,
// odonnell94 and fitzpatrick99 of the Python extinction package
// (K. Barbary) to ~1e-14 relative, which a test checks when that package is
// installed (required when ASTROONE_REQUIRE_INTEROP=1). Deredden applies
// flux·10^(0.4·R_V·E(B−V)·A(λ)/A_V) for a chosen Law (ParseLaw).
//
// # Response, S/N and masks
//
// ApplyResponse divides (or multiplies) by a linearly interpolated response
// curve, masking pixels outside it or where it is not positive;
// ReadResponseText reads such a curve from two-column text. DERSNR is the
// DER_SNR estimator of Stoehr et al. (2008, ASP Conf. Ser. 394, 505) and
// SNRFromIvar the median of flux·√ivar. MaskBadPixels flags non-finite
// values, ivar ≤ 0, selected survey AndMask bits and, optionally,
// running-median outliers (cosmic rays, sky residuals).
package prep
