package algorithm

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Metadata is titiler's AlgorithmMetadata document of the named algorithm
// (GET /algorithms/{algorithmId}): title, description, inputs and outputs
// (the model's input_* and output_* defaults) and the JSON schema of each
// parameter, as pydantic writes it. ok is false for an unknown name.
func Metadata(name string) (doc []byte, ok bool) {
	s, ok := lookup(name)
	if !ok {
		return nil, false
	}
	var title, description string
	var inputs, outputs, parameters members
	for _, f := range s.fields {
		switch {
		case f.name == "title":
			title = f.def.(string)
		case f.name == "description":
			description = f.def.(string)
		case strings.HasPrefix(f.name, "input_"):
			inputs = append(inputs, member{strings.TrimPrefix(f.name, "input_"), jsonValue(f.def)})
		case strings.HasPrefix(f.name, "output_"):
			outputs = append(outputs, member{strings.TrimPrefix(f.name, "output_"), jsonValue(f.def)})
		default:
			parameters = append(parameters, member{f.name, f.schema()})
		}
	}
	return []byte(members{
		{"title", quote(title)},
		{"description", quote(description)},
		{"inputs", inputs.object()},
		{"outputs", outputs.object()},
		{"parameters", parameters.object()},
	}.object()), true
}

// member is one key of a JSON object whose order matters.
type member struct {
	key string
	val string // JSON text
}

type members []member

func (ms members) object() string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = quote(m.key) + ":" + m.val
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// jsonValue writes a default: ints as ints, floats as pydantic does.
func jsonValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case int:
		return strconv.Itoa(v)
	case float64:
		return jsonFloat(v)
	case string:
		return quote(v)
	case []int:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = strconv.Itoa(x)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case []float64:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = jsonFloat(x)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	panic("algorithm: no JSON for a default of this type")
}

// schema is the field's JSON schema as pydantic writes it (keys sorted).
func (f field) schema() string {
	typ := map[ftype]string{tInt: "integer", tFloat: "number", tStr: "string"}[f.typ]
	num := func(x float64) string {
		if f.typ == tInt {
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
		return jsonFloat(x)
	}
	var kind members
	if f.bounded {
		kind = append(kind, member{"maximum", num(f.le)}, member{"minimum", num(f.ge)})
	}
	kind = append(kind, member{"type", quote(typ)})
	var out members
	if f.optional {
		out = append(out, member{"anyOf", "[" + kind.object() + `,{"type":"null"}]`})
	}
	out = append(out, member{"default", jsonValue(f.def)})
	if f.doc != "" {
		out = append(out, member{"description", quote(f.doc)})
	}
	if !f.optional {
		out = append(out, kind[:len(kind)-1]...)
	}
	out = append(out, member{"title", quote(fieldTitle(f.name))})
	if !f.optional {
		out = append(out, kind[len(kind)-1])
	}
	return out.object()
}

// fieldTitle is pydantic's default title: z_exaggeration is Z Exaggeration.
func fieldTitle(name string) string {
	words := strings.Split(name, "_")
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + strings.ToLower(w[1:])
		}
	}
	return strings.Join(words, " ")
}
