package colorformula_test

import (
	"strings"
	"testing"
	"unicode"

	"tilefunc"
	"tilefunc/tiles/colorformula"
)

func TestParseAcceptsWhatTitilerAcceptsAndRefusesTheRest(t *testing.T) {
	for _, v := range peerData(t).Validated {
		_, err := colorformula.Parse(v.Formula)
		overLimit := strings.Count(strings.ToLower(v.Formula), "gamma") > colorformula.MaxOperations
		switch {
		case overLimit && err == nil:
			t.Errorf("%q: accepted, above the operation limit", v.Formula)
		case overLimit:
		case v.Valid && err != nil:
			t.Errorf("%q: titiler accepts it, Parse says %v", v.Formula, err)
		case !v.Valid && err == nil:
			t.Errorf("%q: titiler refuses it (%s), Parse accepts it", v.Formula, v.Cause)
		case !v.Valid && tilefunc.ErrorCode(err) != tilefunc.EINVALID:
			t.Errorf("%q: code %s, want %s (titiler answers 422)", v.Formula, tilefunc.ErrorCode(err), tilefunc.EINVALID)
		}
	}
}

func TestMalformedFormulasAre422WithAMessageThatNamesTheProblem(t *testing.T) {
	for _, c := range []struct{ formula, want string }{
		{"", "empty"},
		{"   ", "empty"},
		{"gama rgb 1.5", `operation 1 "gama rgb 1.5": "gama" is not an operation`},
		{"gamma rgb 1.5 contrast 2", `operation 1 "gamma rgb 1.5 contrast 2": "contrast" is not a number`},
		{"gamma", `operation 1 "gamma": nothing follows gamma`},
		{"gamma rgb 1.5 saturation", `operation 2 "saturation": nothing follows saturation`},
		{"gamma rgb x", `"x" is not a number`},
		{"sigmoidal rgb 10 0.5x", `operation 1 "sigmoidal rgb 10 0.5x": "0.5x" is not a number`},
		{"gamma rgb 0x10", `"0x10" is not a number`},
		{"gamma rga 1.5", `band 'a' in "rga"`},
		{"gamma 4 1.5", `band '4' in "4"`},
		{"gamma r 1, saturation rgb 1.2", `operation 2 "saturation rgb 1.2": "rgb" is not a number`},
		{"gamma rgb 1,sigmoidal rgb 10 0.5", `"1sigmoidal" is not a number`},
		{"gamma rgb 1.5 ", `"" is not a number`},
		{"rgb gamma rgb 1", `operation 1 "rgb": "rgb" is not an operation`},
		{strings.Repeat("gamma rgb 1.5, ", 140), "2100 bytes, above the 1024-byte limit"},
		{strings.TrimSuffix(strings.Repeat("gamma r 1 ", 100), " "), "100 operations, above the 32 limit"},
		{"gamma rgb 1\x00", `"1\x00" is not a number`},
	} {
		_, err := colorformula.Parse(c.formula)
		if tilefunc.ErrorCode(err) != tilefunc.EINVALID {
			t.Errorf("%.40q: %v (code %s), want %s", c.formula, err, tilefunc.ErrorCode(err), tilefunc.EINVALID)
			continue
		}
		if msg := tilefunc.ErrorMessage(err); !strings.HasPrefix(msg, "color_formula: ") || !strings.Contains(msg, c.want) {
			t.Errorf("%.40q: message %q, want it to say %q", c.formula, msg, c.want)
		}
	}
}

func TestParseReadsTheLibrarysSpellings(t *testing.T) {
	for _, c := range []struct{ formula, want string }{
		{"Gamma RGB 3.5 Saturation 1.7 Sigmoidal RGB 15 0.35", "Gamma RGB 3.5, Saturation 1.7, Sigmoidal RGB 15 0.35"},
		{"gamma rgb 1.3, sigmoidal rgb 22 0.1, saturation 1.2", "gamma rgb 1.3, sigmoidal rgb 22 0.1, saturation 1.2"},
		{"gamma 12 1_000", "gamma 12 1_000"},
		{"gam,ma b 2", "gamma b 2"},    // commas go before anything else
		{"gamma ١ 1.5", "gamma ١ 1.5"}, // decimal digits of any script
		{"gamma rgb 1.5\n", "gamma rgb 1.5"},
		{strings.TrimSuffix(strings.Repeat("gamma r 1 ", 32), " "), strings.TrimSuffix(strings.Repeat("gamma r 1, ", 32), ", ")},
	} {
		f, err := colorformula.Parse(c.formula)
		if err != nil || f.String() != c.want {
			t.Errorf("%q: %q, %v; want %q", c.formula, f.String(), err, c.want)
		}
	}
}

func TestBandsAndNumbersTakeDecimalDigitsOfEveryScriptAsPythonDoes(t *testing.T) {
	p := peerData(t)
	python := map[rune]bool{}
	for _, d := range p.Digits {
		r := rune(d[0])
		python[r] = true
		f, err := colorformula.Parse("gamma rgb 1" + string(r))
		if err != nil {
			t.Errorf("U+%04X (a digit %d to Python): %v", r, d[1], err)
			continue
		}
		if want := "gamma rgb 1" + string(r); f.String() != want {
			t.Errorf("U+%04X: %q", r, f.String())
		}
		// A band written as that digit is accepted only where it is 1..3.
		if _, err := colorformula.Parse("gamma " + string(r) + " 1"); (err == nil) != (d[1] >= 1 && d[1] <= 3) {
			t.Errorf("band U+%04X, digit %d: %v", r, d[1], err)
		}
	}
	newer := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if unicode.Is(unicode.Nd, r) && !python[r] {
			newer++
		}
	}
	t.Logf("%d digits known to Python's Unicode %s; Go's Unicode %s adds %d", len(python), p.Unicode, unicode.Version, newer)
}
