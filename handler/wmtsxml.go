package handler

import (
	"encoding/xml"
	"strconv"
	"strings"
	"text/template"

	"tilefunc/tiles"
)

// capabilities is a WMTS 1.0.0 capabilities document.
type capabilities struct {
	URL    string // the document's own URL: GetCapabilities and GetTile are RESTful there
	Media  string // the tiles' media type
	Layers []wmtsLayer
	Sets   []matrixSet
}

// wmtsLayer is one layer in one tile matrix set.
type wmtsLayer struct {
	ID       string
	BBox     [4]float64 // longitude/latitude
	TMS      string
	Limits   []tiles.TileMatrixLimits
	Template string // the tile URL, {TileMatrix}/{TileCol}/{TileRow} to fill in
}

// matrixSet is a TileMatrixSet as WMTS 1.0.0 describes one: top-left
// origins, fixed matrix widths.
type matrixSet struct {
	ID       string
	CRS      string
	Matrices []matrix
}

type matrix struct {
	ID                        string
	Scale                     float64
	TopLeft                   [2]float64 // the CRS's axis order, as the OGC document gives it
	TileWidth, TileHeight     int
	MatrixWidth, MatrixHeight int
}

// wmtsMatrixSet describes tms for WMTS. Tiles of tile_scale n have n times
// the pixels over the same ground, so their matrices have n times the tile
// size and a scale denominator n times smaller. Coalesced rows
// (CDB1GlobalGrid, GNOSISGlobalGrid) have no WMTS 1.0 form: their matrices
// are written at full width, as titiler writes them.
func wmtsMatrixSet(tms *tiles.TileMatrixSet, req wmtsRequest) matrixSet {
	crs := tms.DocCRS
	if req.epsg && strings.HasPrefix(tms.SRS, "EPSG:") {
		crs = tms.SRS // ArcMap reads EPSG codes; CRS84 has none and keeps its URI
	}
	s := matrixSet{ID: tms.ID, CRS: crs}
	n := float64(req.scale)
	for _, m := range tms.Matrices {
		s.Matrices = append(s.Matrices, matrix{
			ID: m.ID, Scale: m.ScaleDenominator / n, TopLeft: m.PointOfOrigin,
			TileWidth: m.TileWidth * req.scale, TileHeight: m.TileHeight * req.scale,
			MatrixWidth: m.MatrixWidth, MatrixHeight: m.MatrixHeight,
		})
	}
	return s
}

// wmtsOperations are the operations a client may use, both RESTful.
func wmtsOperations() []string { return []string{"GetCapabilities", "GetTile"} }

// xmlText escapes s for XML text and attribute values.
func xmlText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// num writes a number in the shortest form that reads back the same.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

var capabilitiesXML = template.Must(template.New("wmts").Funcs(template.FuncMap{"x": xmlText, "num": num, "ops": wmtsOperations}).Parse(`<?xml version="1.0" encoding="UTF-8"?>
<Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:gml="http://www.opengis.net/gml" xsi:schemaLocation="http://www.opengis.net/wmts/1.0 http://schemas.opengis.net/wmts/1.0/wmtsGetCapabilities_response.xsd" version="1.0.0">
  <ows:ServiceIdentification>
    <ows:Title>Web Map Tile Service by tilefunc</ows:Title>
    <ows:ServiceType>OGC WMTS</ows:ServiceType>
    <ows:ServiceTypeVersion>1.0.0</ows:ServiceTypeVersion>
  </ows:ServiceIdentification>
  <ows:OperationsMetadata>
{{- range $op := ops}}
    <ows:Operation name="{{$op}}">
      <ows:DCP>
        <ows:HTTP>
          <ows:Get xlink:href="{{x $.URL}}">
            <ows:Constraint name="GetEncoding">
              <ows:AllowedValues>
                <ows:Value>RESTful</ows:Value>
              </ows:AllowedValues>
            </ows:Constraint>
          </ows:Get>
        </ows:HTTP>
      </ows:DCP>
    </ows:Operation>
{{- end}}
  </ows:OperationsMetadata>
  <Contents>
{{- range .Layers}}
    <Layer>
      <ows:Title>{{x .ID}}</ows:Title>
      <ows:Identifier>{{x .ID}}</ows:Identifier>
      <ows:WGS84BoundingBox crs="urn:ogc:def:crs:OGC:2:84">
        <ows:LowerCorner>{{num (index .BBox 0)}} {{num (index .BBox 1)}}</ows:LowerCorner>
        <ows:UpperCorner>{{num (index .BBox 2)}} {{num (index .BBox 3)}}</ows:UpperCorner>
      </ows:WGS84BoundingBox>
      <Style isDefault="true">
        <ows:Title>{{x .ID}}</ows:Title>
        <ows:Identifier>{{x .ID}}</ows:Identifier>
      </Style>
      <Format>{{x $.Media}}</Format>
      <TileMatrixSetLink>
        <TileMatrixSet>{{x .TMS}}</TileMatrixSet>
        <TileMatrixSetLimits>
{{- range .Limits}}
          <TileMatrixLimits>
            <TileMatrix>{{x .TileMatrix}}</TileMatrix>
            <MinTileRow>{{.MinTileRow}}</MinTileRow>
            <MaxTileRow>{{.MaxTileRow}}</MaxTileRow>
            <MinTileCol>{{.MinTileCol}}</MinTileCol>
            <MaxTileCol>{{.MaxTileCol}}</MaxTileCol>
          </TileMatrixLimits>
{{- end}}
        </TileMatrixSetLimits>
      </TileMatrixSetLink>
      <ResourceURL format="{{x $.Media}}" resourceType="tile" template="{{x .Template}}"/>
    </Layer>
{{- end}}
{{- range .Sets}}
    <TileMatrixSet>
      <ows:Identifier>{{x .ID}}</ows:Identifier>
      <ows:SupportedCRS>{{x .CRS}}</ows:SupportedCRS>
{{- range .Matrices}}
      <TileMatrix>
        <ows:Identifier>{{x .ID}}</ows:Identifier>
        <ScaleDenominator>{{num .Scale}}</ScaleDenominator>
        <TopLeftCorner>{{num (index .TopLeft 0)}} {{num (index .TopLeft 1)}}</TopLeftCorner>
        <TileWidth>{{.TileWidth}}</TileWidth>
        <TileHeight>{{.TileHeight}}</TileHeight>
        <MatrixWidth>{{.MatrixWidth}}</MatrixWidth>
        <MatrixHeight>{{.MatrixHeight}}</MatrixHeight>
      </TileMatrix>
{{- end}}
    </TileMatrixSet>
{{- end}}
  </Contents>
  <ServiceMetadataURL xlink:href="{{x .URL}}"/>
</Capabilities>
`))
