package pgstac_test

import (
	"strings"
	"testing"

	"tilefunc/pgstac"
)

func TestGrantsQuoteNamesAndUseAzuresDocumentedCall(t *testing.T) {
	sql, err := pgstac.GrantsSQL(`titiler-db-access`, pgstac.Register, "0b3c1d2e-4f5a-6b7c-8d9e-0f1a2b3c4d5e")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`SELECT * FROM pgaadauth_create_principal_with_oid('titiler-db-access', '0b3c1d2e-4f5a-6b7c-8d9e-0f1a2b3c4d5e', 'service', false, false);`,
		"In the `postgres` database",
		`GRANT SELECT ON ALL TABLES IN SCHEMA pgstac TO "titiler-db-access";`,
		`GRANT INSERT, UPDATE ON pgstac.searches TO "titiler-db-access";`,
		`ALTER ROLE "titiler-db-access" SET search_path = pgstac, public;`,
		`ALTER ROLE "titiler-db-access" SET statement_timeout = '30s';`,
	} {
		if !strings.Contains(sql, want) {
			t.Errorf("missing %s in\n%s", want, sql)
		}
	}
	odd, _ := pgstac.GrantsSQL(`o'brien"x`, pgstac.ReadOnly, "")
	if !strings.Contains(odd, `TO "o'brien""x";`) || !strings.Contains(odd, `'o''brien"x'`) || strings.Contains(odd, "INSERT, UPDATE") {
		t.Errorf("quoting or mode wrong:\n%s", odd)
	}
}

func TestGrantsRefuseBadArguments(t *testing.T) {
	for _, c := range [][3]string{
		{"", pgstac.ReadOnly, ""},
		{"r", "admin", ""},
		{"r", pgstac.ReadOnly, "x'); DROP TABLE items; --"},
	} {
		if _, err := pgstac.GrantsSQL(c[0], c[1], c[2]); err == nil {
			t.Errorf("%q: want an error", c)
		}
	}
}
