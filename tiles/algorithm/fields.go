package algorithm

// model is the fields of a titiler algorithm model: BaseAlgorithm's
// metadata first, then the model's own. A field the model redeclares
// keeps the base's place, as in pydantic.
func model(own ...field) []field {
	fs := []field{
		{name: "input_nbands", typ: tInt, optional: true},
		{name: "output_nbands", typ: tInt, optional: true},
		{name: "output_dtype", typ: tStr, optional: true},
		{name: "output_min", typ: tSeq, optional: true},
		{name: "output_max", typ: tSeq, optional: true},
	}
	for _, f := range own {
		replaced := false
		for i := range fs {
			if fs[i].name == f.name {
				fs[i], replaced = f, true
			}
		}
		if !replaced {
			fs = append(fs, f)
		}
	}
	return fs
}

// meta is a metadata field a model redeclares with a default (no None).
func meta(name string, typ ftype, def any) field { return field{name: name, typ: typ, def: def} }

// labels are a model's title and description.
func labels(title, description string) []field {
	return []field{meta("title", tStr, title), meta("description", tStr, description)}
}

func intParam(name string, def int, ge, le float64) field {
	return field{name: name, typ: tInt, def: def, bounded: true, ge: ge, le: le}
}

func floatParam(name string, def, ge, le float64) field {
	return field{name: name, typ: tFloat, def: def, bounded: true, ge: ge, le: le}
}

// optFloatParam is a `float | None` parameter whose default is None.
func optFloatParam(name string, ge, le float64) field {
	return field{name: name, typ: tFloat, optional: true, bounded: true, ge: ge, le: le}
}

// withDoc gives a field pydantic's description.
func withDoc(f field, doc string) field {
	f.doc = doc
	return f
}

// oneBandDEM is the metadata of the DEM models: one band in, n out.
func oneBandDEM(outBands int, dtype string) []field {
	return []field{meta("input_nbands", tInt, 1), meta("output_nbands", tInt, outBands), meta("output_dtype", tStr, dtype)}
}

func join(groups ...[]field) []field {
	var out []field
	for _, g := range groups {
		out = append(out, g...)
	}
	return model(out...)
}

var (
	hillshadeFields = join(
		oneBandDEM(1, "uint8"),
		labels("Hillshade", "Create hillshade from DEM dataset."),
		[]field{
			intParam("azimuth", 45, 0, 360),
			floatParam("angle_altitude", 45.0, -90, 90),
			intParam("buffer", 3, 0, 99),
			floatParam("z_exaggeration", 1.0, 1e-6, 1e6),
		},
	)
	slopeFields = join(
		oneBandDEM(1, "float32"),
		[]field{meta("output_min", tListFloat, []float64{0}), meta("output_max", tListFloat, []float64{90})},
		labels("Slope", "Calculate degrees of slope from DEM dataset."),
		[]field{
			withDoc(intParam("buffer", 3, 0, 99), "Buffer size for edge effects"),
			floatParam("z_exaggeration", 1.0, 1e-6, 1e6),
		},
	)
	contoursFields = join(
		oneBandDEM(3, "uint8"),
		labels("Contours", "Create contours from DEM dataset."),
		[]field{
			intParam("increment", 35, 0, 999),
			intParam("thickness", 1, 0, 10),
			intParam("minz", -12000, -99999, 99999),
			intParam("maxz", 8000, -99999, 99999),
		},
	)
	normalizedIndexFields = join(
		[]field{
			meta("input_nbands", tInt, 2), meta("output_nbands", tInt, 1), meta("output_dtype", tStr, "float32"),
			meta("output_min", tSeqFloat, []float64{-1}), meta("output_max", tSeqFloat, []float64{1}),
		},
		labels("Normalized Difference Index", "Compute normalized difference index from two bands."),
	)
	terrariumFields = join(
		oneBandDEM(3, "uint8"),
		labels("Terrarium", "Encode DEM into RGB (Mapzen Terrarium)."),
		[]field{optFloatParam("nodata_height", -99999, 99999)},
	)
	terrainRGBFields = join(
		oneBandDEM(3, "uint8"),
		labels("TerrainRGB", "Encode DEM into RGB (Mapbox Terrain RGB)."),
		[]field{
			floatParam("interval", 0.1, 0, 1),
			floatParam("baseval", -10000.0, -99999, 99999),
			optFloatParam("nodata_height", -99999, 99999),
		},
	)
	castFields  = join(byteOutput(), labels("Cast data to Integer", "Cast data to Integer."))
	ceilFields  = join(byteOutput(), labels("Round data to the smallest integer", "Round data to the smallest integer."))
	floorFields = join(byteOutput(), labels("Round data to the largest integer", "Round data to the largest integer."))

	minFields    = join(oneBand(""), labels("Min", "Return Min values along the `bands` axis."))
	maxFields    = join(oneBand(""), labels("Max", "Return Max values along the `bands` axis."))
	medianFields = join(oneBand("float64"), labels("Median", "Return Median values along the `bands` axis."))
	meanFields   = join(oneBand("float64"), labels("Mean", "Return Mean values."))
	stdFields    = join(oneBand("float64"), labels("Standard deviation", "Return the Standard Deviation along the `bands` axis."))
	varFields    = join(oneBand("float64"), labels("Variance", "Return Variance along the `bands` axis."))
	sumFields    = join(oneBand(""), labels("Sum", "Return Sum values along the `bands` axis."))

	grayscaleFields = join(oneBand(""), labels("Transform a RGB Image to Grayscale", "Transform a RGB Image to Grayscale using the ITU-R 601-2 luma."))
	bitonalFields   = join(oneBand("uint8"), labels("Transform an Image to Bitonal", "All values larger than 127 are set to 255 (white), all other values to 0 (black)."))
)

// byteOutput is the metadata of cast, ceil and floor.
func byteOutput() []field {
	return []field{meta("output_dtype", tStr, "uint8"), meta("output_min", tSeqInt, []int{0}), meta("output_max", tSeqInt, []int{255})}
}

// oneBand is the metadata of the reductions and grey scales: one band out,
// and the dtype when the model declares one ("" for none).
func oneBand(dtype string) []field {
	fs := []field{meta("output_nbands", tInt, 1)}
	if dtype != "" {
		fs = append(fs, meta("output_dtype", tStr, dtype))
	}
	return fs
}
