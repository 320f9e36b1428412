// Package infra holds the Azure deployment of tilefunc: the Bicep templates
// under bicep/ and the tests that parse them (bicepcheck.mjs, with the
// tree-sitter Bicep grammar) and check them against the settings config reads.
package infra
