package expression

import (
	"regexp"
	"strings"
)

// sanitize is numexpr's own guard, which it runs on the text of a block
// before Python compiles it, comments included: with the blanks taken out
// and '...' spans skipped, no ; [ or :, no __dunder__ names, and no . that
// starts anything but a number's fraction (or .real, .imag). It refuses a
// few things Python and rio-tiler allow: a ':' or 'e.g.' in a comment,
// '_' in the digits of a fraction (1.5_0).
func sanitize(block string) error {
	// numexpr compiles the block stripped: a line continuation followed by
	// blanks alone ends it with a bare backslash (unless in a comment).
	t := strings.TrimRight(block, pyBlanks)
	lastLine := t[strings.LastIndexAny(t, "\n\r")+1:]
	if strings.HasSuffix(t, "\\") && !strings.Contains(lastLine, "#") {
		return errAt(len(t)-1, "unexpected end after a line continuation (\\)")
	}
	text, at := squeeze(block)
	if i := strings.IndexAny(text, ";[:"); i >= 0 {
		return errAt(at[i], "numexpr forbids %q in an expression (comments included)", text[i:i+1])
	}
	if m := dunder.FindStringIndex(text); m != nil {
		return errAt(at[m[0]], "numexpr forbids __names__")
	}
	for i := 0; i < len(text)-1; i++ {
		if text[i] == '.' && isWordChar(text[i+1]) && !fraction.MatchString(text[i+1:]) {
			return errAt(at[i], "numexpr forbids attribute access (.) other than a number's fraction (comments included)")
		}
	}
	return nil
}

var (
	dunder   = regexp.MustCompile(`(^|[^\w])__\w+__($|[^\w])`)
	fraction = regexp.MustCompile(`^(real|imag|\d*[eE]?[+-]?\d+|\d*[eE]?[+-]?\d+j|\d*j)\b`)
)

// pyBlanks are the ASCII characters Python's str.strip removes.
const pyBlanks = " \t\n\r\v\f\x1c\x1d\x1e\x1f"

// squeeze is the block without blanks and without '...' spans, as numexpr
// looks at it, and the offset in the block of each byte kept.
func squeeze(block string) (string, []int) {
	var b strings.Builder
	var at []int
	for i := 0; i < len(block); i++ {
		c := block[i]
		if strings.IndexByte(pyBlanks, c) >= 0 {
			continue
		}
		if c == '\'' {
			if end := strings.IndexByte(block[i+1:], '\''); end >= 0 {
				i += end + 1
				continue
			}
		}
		b.WriteByte(c)
		at = append(at, i)
	}
	return b.String(), at
}

func isWordChar(c byte) bool { return isNameChar(c) || c >= 0x80 }
