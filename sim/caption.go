package sim

import (
	"fmt"
	"strings"
)

// Caption returns a short English and Chinese description of an object
// built from its labels, e.g. "metal-poor K giant (K3III), Teff 4480 K,
// logg 2.1, [Fe/H] −1.3, RV −45 km/s" and "贫金属K型巨星（K3III），有效温度
// 4480 K，表面重力 logg 2.1，[Fe/H] −1.3，视向速度 −45 km/s". They are the
// text side of spectrum–text pairs for contrastive training and retrieval
// by words. Negative numbers use the Unicode minus sign, as in print.
func Caption(l Labels) (en, zh string) {
	var e, z []string
	switch {
	case l.Class.IsNormalStar():
		lum, lumZH := luminosityWords(l.Subclass)
		met, metZH := metallicityWords(l.FeH)
		e = append(e, fmt.Sprintf("%s %s %s (%s)", met, l.Class, lum, l.Subclass))
		z = append(z, fmt.Sprintf("%s%s型%s（%s）", metZH, l.Class, lumZH, l.Subclass))
		e, z = appendStellar(e, z, l)
	case l.Class == ClassCarbon:
		lum, lumZH := "giant", "巨星"
		if l.Logg >= 3.5 {
			lum, lumZH = "dwarf", "矮星"
		}
		e = append(e, fmt.Sprintf("%s carbon %s with C2 Swan and CN bands", l.Subclass, lum))
		z = append(z, fmt.Sprintf("%s型碳星（%s），有C2斯旺带和CN带", l.Subclass, lumZH))
		e, z = appendStellar(e, z, l)
	case l.Class == ClassCV:
		kind, kindZH, lines, linesZH := cvWords(l.Subclass)
		e = append(e, fmt.Sprintf("%s (cataclysmic variable) with %s", kind, lines), "RV "+signed(l.RVKmS, 0)+" km/s")
		z = append(z, fmt.Sprintf("%s（激变变星），%s", kindZH, linesZH), "视向速度 "+signed(l.RVKmS, 0)+" km/s")
	case l.Class == ClassQSO:
		e = append(e, fmt.Sprintf("quasar at z = %.3f with broad emission lines", l.Z))
		z = append(z, fmt.Sprintf("红移 z = %.3f 的类星体，有宽发射线", l.Z))
		if l.Z > 2.1 { // Lyα (1216 Å) enters the LAMOST/SDSS range above z ≈ 2
			e = append(e, "Lyα forest in the blue")
			z = append(z, "蓝端可见莱曼α森林")
		}
	case l.Class == ClassGalaxy:
		kind, kindZH := galaxyWords(l.Subclass)
		e = append(e, fmt.Sprintf("%s at z = %.3f", kind, l.Z))
		z = append(z, fmt.Sprintf("红移 z = %.3f 的%s", l.Z, kindZH))
	default:
		e = append(e, string(l.Class))
		z = append(z, string(l.Class))
	}
	if l.EBV >= 0.2 {
		e = append(e, fmt.Sprintf("reddened, E(B−V) %.2f", l.EBV))
		z = append(z, fmt.Sprintf("受星际红化，E(B−V) %.2f", l.EBV))
	}
	if l.SNR > 0 {
		e = append(e, fmt.Sprintf("S/N %.0f", l.SNR))
		z = append(z, fmt.Sprintf("信噪比 %.0f", l.SNR))
	}
	return strings.Join(e, ", "), strings.Join(z, "，")
}

// appendStellar adds Teff, logg, [Fe/H] and RV phrases.
func appendStellar(e, z []string, l Labels) ([]string, []string) {
	e = append(e, fmt.Sprintf("Teff %.0f K", l.TeffK), "logg "+signed(l.Logg, 1), "[Fe/H] "+signed(l.FeH, 1),
		"RV "+signed(l.RVKmS, 0)+" km/s")
	z = append(z, fmt.Sprintf("有效温度 %.0f K", l.TeffK), "表面重力 logg "+signed(l.Logg, 1),
		"[Fe/H] "+signed(l.FeH, 1), "视向速度 "+signed(l.RVKmS, 0)+" km/s")
	return e, z
}

// signed formats v with prec decimals and a typographic minus sign.
func signed(v float64, prec int) string {
	s := fmt.Sprintf("%.*f", prec, v)
	if strings.Trim(s, "-0.") == "" { // "-0.0" and "0.0" both read as 0
		s = strings.TrimPrefix(s, "-")
	}
	return strings.Replace(s, "-", "−", 1)
}

// metallicityWords names an [Fe/H] range, after the nomenclature of Beers
// & Christlieb (2005, ARA&A 43, 531): very metal-poor below −2, metal-poor
// below −1; "solar" within ±0.3 dex, metal-rich above.
func metallicityWords(feh float64) (en, zh string) {
	switch {
	case feh < -2:
		return "very metal-poor", "极贫金属"
	case feh < -1:
		return "metal-poor", "贫金属"
	case feh < -0.3:
		return "mildly metal-poor", "轻度贫金属"
	case feh <= 0.3:
		return "solar-metallicity", "太阳金属丰度"
	}
	return "metal-rich", "富金属"
}

// luminosityWords names the MK luminosity class at the end of a spectral
// type such as "K3III".
func luminosityWords(mk string) (en, zh string) {
	switch {
	case strings.HasSuffix(mk, "III"):
		return "giant", "巨星"
	case strings.HasSuffix(mk, "IV"):
		return "subgiant", "亚巨星"
	case strings.HasSuffix(mk, "V"):
		return "dwarf", "矮星"
	case strings.HasSuffix(mk, "I"):
		return "supergiant", "超巨星"
	}
	return "star", "恒星"
}

// cvWords names a cataclysmic-variable subtype and its telltale lines
// (Warner 1995, "Cataclysmic Variable Stars"): double-peaked disk Balmer
// emission in quiescent dwarf novae, a blue disk with weaker emission in
// nova-likes, strong single-peaked He II 4686 in polars.
func cvWords(kind string) (en, zh, lines, linesZH string) {
	switch kind {
	case "DN":
		return "dwarf nova in quiescence", "宁静态矮新星", "broad double-peaked Balmer emission", "巴尔末发射线宽而呈双峰"
	case "NL":
		return "nova-like variable", "类新星变星", "a blue accretion-disk continuum and Balmer emission", "吸积盘连续谱偏蓝，有巴尔末发射线"
	case "AM":
		return "polar (AM Her star)", "高偏振星（武仙AM型）", "strong He II 4686 and Balmer emission", "有强He II 4686和巴尔末发射线"
	}
	return "cataclysmic variable", "激变变星", "Balmer emission", "有巴尔末发射线"
}

// galaxyWords names a galaxy spectral type.
func galaxyWords(kind string) (en, zh string) {
	switch kind {
	case "PASSIVE":
		return "passive early-type galaxy with an old stellar population", "以年老恒星为主的宁静早型星系"
	case "STARFORMING":
		return "star-forming galaxy with nebular emission lines", "有星云发射线的恒星形成星系"
	case "AGN":
		return "galaxy with an active nucleus (Seyfert-like line ratios)", "活动星系核星系（赛弗特型谱线比）"
	}
	return "galaxy", "星系"
}
