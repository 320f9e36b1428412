package parity

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
)

// Check is what one request of a side-by-side table expects of the server
// under test, beside "answer as the reference does".
type Check struct {
	Tol     *Tolerance // for images; nil: DefaultTolerance of the reference image
	JSONAbs float64    // for JSON numbers: absolute...
	JSONRel float64    // ...or relative agreement (both zero: 1e-9, 1e-6)
	// Differs says why the server under test deliberately answers
	// otherwise: its status and content type are still checked, but
	// different pixels or documents are reported, not failed.
	Differs string
	// Status is the status the server under test deliberately answers
	// where it differs from the reference's (with Differs).
	Status int
}

// Outcome is one request judged.
type Outcome struct {
	Request  Request
	Ref, Got Response
	RefDesc  string // the reference's answer in a few words: 200 png 4x256x256+mask uint8
	GotDesc  string
	Tol      string // the tolerance applied
	Match    bool
	Hard     bool   // the status or the content type differs
	Problem  string // why it does not match
	Max      float64
	Mean     float64
	Compared bool // values were compared (Max, Mean mean something)
	Differs  string
}

// Verdict is the outcome in a word: match, MISMATCH, differs, or
// "differs, now matches" for a documented difference that is gone.
func (o Outcome) Verdict() string {
	switch {
	case o.Failed():
		return "MISMATCH"
	case o.Differs != "" && o.Match:
		return "differs, now matches"
	case o.Differs != "":
		return "differs"
	}
	return "match"
}

// Failed says whether the row fails a test: a mismatch, or for a row with
// a Differs note another status or content type.
func (o Outcome) Failed() bool { return o.Hard || (!o.Match && o.Differs == "") }

// DefaultTolerance is the tolerance for an image like ref. Lossy formats
// (JPEG, WebP, JPEG 2000) compare mean |diff|: encoders differ pixel by
// pixel (Go's JPEG encoder and libjpeg at quality 85 differ by 1.6-1.8 on
// average over the RGB fixture, up to 62 on its grid lines), while another
// tile or band differs by tens. Floats compare relatively (the order of
// float operations differs). Other integers may differ by 1: rounding
// where titiler truncates (rescale) is the one difference let through.
func DefaultTolerance(ref *Raster) Tolerance {
	switch {
	case ref.Format == "jpeg" || ref.Format == "webp" || ref.Format == "jp2":
		return Tolerance{Max: 255, Mean: 3}
	case strings.HasPrefix(ref.DataType, "float"):
		return Tolerance{Max: 1e-6, Rel: 1e-5}
	}
	return Tolerance{Max: 1}
}

// Judge compares got, the answer of the server under test, with ref, the
// reference's answer to the same request: statuses, then content types,
// then decoded images (or JSON documents, or bytes).
func Judge(req Request, ref, got Response, c Check) Outcome {
	o := Outcome{Request: req, Ref: ref, Got: got, Differs: c.Differs}
	maskLast := !strings.EqualFold(req.Query().Get("return_mask"), "false")
	refImg, refErr := decodeAnswer(ref, maskLast)
	gotImg, gotErr := decodeAnswer(got, maskLast)
	o.RefDesc, o.GotDesc = describeAnswer(ref, refImg), describeAnswer(got, gotImg)
	var problems []string
	want := ref.Status
	if c.Status != 0 {
		want = c.Status
	}
	if got.Status != want || got.Err != "" || ref.Err != "" {
		problems = append(problems, fmt.Sprintf("status %d, want %d", got.Status, want))
		o.Hard = true
	}
	if ref.Status == http.StatusOK && got.Status == http.StatusOK {
		if ref.Type != got.Type {
			problems = append(problems, fmt.Sprintf("content type %q, want %q", got.Type, ref.Type))
			o.Hard = true
		}
		switch {
		case refImg != nil:
			tol := DefaultTolerance(refImg)
			if c.Tol != nil {
				tol = *c.Tol
			}
			o.Tol = tol.String()
			if gotErr != nil {
				problems = append(problems, gotErr.Error())
				break
			}
			if gotImg == nil {
				problems = append(problems, "not an image")
				break
			}
			d := CompareRasters(refImg, gotImg, tol)
			o.Max, o.Mean, o.Compared = d.Max, d.Mean, d.Values > 0
			if !d.Within(tol) {
				problems = append(problems, d.Problem(tol))
			}
		case refErr != nil:
			problems = append(problems, "reference: "+refErr.Error())
		case isJSON(ref.Type):
			abs, rel := c.JSONAbs, c.JSONRel
			if abs == 0 && rel == 0 {
				abs, rel = 1e-9, 1e-6
			}
			o.Tol = fmt.Sprintf("json abs %g, rel %g", abs, rel)
			d, err := CompareJSON(ref.Body, got.Body, abs, rel)
			if err != nil {
				problems = append(problems, err.Error())
				break
			}
			o.Max, o.Compared = d.Max, d.Fields > 0
			if len(d.Diffs) > 0 {
				problems = append(problems, fmt.Sprintf("%d of %d fields differ: %s", len(d.Diffs), d.Fields,
					strings.Join(d.Diffs[:min(len(d.Diffs), 4)], "; ")))
			}
		default:
			o.Tol = "bytes"
			if !bytes.Equal(ref.Body, got.Body) {
				problems = append(problems, "bodies differ")
			}
		}
	}
	o.Problem = strings.Join(problems, "; ")
	o.Match = o.Problem == ""
	return o
}

func isJSON(contentType string) bool {
	return strings.HasPrefix(contentType, "application/json") || strings.HasPrefix(contentType, "application/geo+json")
}

// decodeAnswer decodes a 200 answer's image; nil without error when the
// answer is no image.
func decodeAnswer(r Response, maskLast bool) (*Raster, error) {
	if r.Status != http.StatusOK || Sniff(r.Body) == "" {
		return nil, nil
	}
	return Decode(r.Body, maskLast)
}

func describeAnswer(r Response, img *Raster) string {
	switch {
	case r.Err != "":
		return "error: " + r.Err
	case img != nil:
		return fmt.Sprintf("%d %s", r.Status, img)
	case r.Status == http.StatusOK && isJSON(r.Type):
		return fmt.Sprintf("%d json", r.Status)
	case r.Status >= 400:
		return fmt.Sprintf("%d %s", r.Status, detail(r.Body))
	}
	return fmt.Sprintf("%d %s", r.Status, r.Type)
}

// detail is an error answer's message, shortened.
func detail(body []byte) string {
	s := strings.TrimSpace(string(body))
	s = strings.TrimPrefix(s, `{"detail":`)
	s = strings.TrimSuffix(s, "}")
	if len(s) > 70 {
		s = s[:67] + "..."
	}
	return s
}
