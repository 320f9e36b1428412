// Package cql2 owns the OGC Common Query Language (CQL2, OGC 21-065) of the
// filter parameter: Text turns a CQL2 text filter into CQL2-JSON, written as
// the cql2 library titiler-pgstac uses (the oracle of the tests) writes it,
// and Check validates a CQL2-JSON filter before it reaches pgSTAC. Both
// refuse with an *Error that names where: a column in the text, a path in
// the JSON.
//
// The parser is written by hand, recursive descent over the standard's BNF,
// because no Go module could be had that does this well: the only CQL2 text
// parser found for Go (github.com/cwygoda/gocql2) is not served by the
// module proxy this project builds from, and none other writes CQL2-JSON
// shaped as titiler-pgstac's library writes it, which pgSTAC then reads.
//
// Text and the oracle (cql2 0.6.0, parse then validate, as titiler-pgstac
// does) agree on the JSON of every filter both accept. Text refuses some
// the oracle takes, each with a column and a reason:
//   - a scalar where a list belongs, a IN 1 or A_CONTAINS(a, 1): the oracle
//     wraps it in an array;
//   - POINT(1), POINT(1 - 2), a GEOMETRYCOLLECTION holding a BBOX: the
//     oracle reads them as calls of functions named POINT and
//     GEOMETRYCOLLECTION; POINT(1 2 3 4): the oracle drops the fourth number;
//   - 2^3^2: the grammar has one ^ per term; the oracle groups it left;
//   - isNull(a): IS NULL is written a IS NULL;
//   - dates and timestamps that are no instant (2020-02-30, month 13, a
//     space for the T): the oracle checks a pattern, or passes them through;
//   - "" as a property name.
//
// And Text takes a few the oracle cannot parse, as the standard writes
// them: .5 for 0.5, \' for a quote inside a string, an identifier that
// starts with _, and () as an empty array operand of A_EQUALS and the
// other array operators.
//
// Check's own differences from the oracle's validate are on Check.
package cql2
