// Package baseline holds the two classical methods the AstroOne model is
// measured against, both trained on the training split of a dataset.Set
// and applied, one example at a time, to a test split:
//
//   - TemplateFitter: Redrock-style template χ² fitting for class and
//     redshift or radial velocity (Bolton et al. 2012, AJ 144, 144, the SDSS
//     "spectro1d" pipeline; DESI's Redrock). Each class gets a small set of
//     rest-frame eigenspectra built by weighted PCA of its de-redshifted
//     training spectra; every test spectrum is scanned over each class's
//     redshift range with ivar-weighted linear least squares at every
//     trial redshift (eigenspectra plus a multiplicative Legendre
//     polynomial for flux calibration and reddening); the class with the
//     lowest χ² wins. Stars also get archetypes, mean spectra of training
//     stars binned in (Teff, logg, [Fe/H]), whose best fit gives their
//     parameters.
//   - Cannon: the data-driven, quadratic-in-labels model of Ness et al.
//     (2015, ApJ 808, 16) on continuum-normalised, rest-frame flux, for
//     Teff, logg and [Fe/H] of FGK stars, with per-pixel intrinsic scatter
//     and Levenberg–Marquardt label optimisation at test time.
//
// Both work on any log-uniform grid (the set's Grid) and use only the
// standard library: the small dense linear algebra they need (Cholesky
// solves of normal equations, weighted PCA by alternating least squares,
// Legendre polynomials, cubic-convolution interpolation) is in this
// package, tested against analytic cases.
package baseline
