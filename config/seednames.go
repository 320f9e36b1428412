package config

// SeedNames gives, for a setting, the name the seed guide
// (postgres-managed-identity-guide.md) uses for it. Most are the same name,
// from its Step 7; a few are its shell variables. It is a table of its own,
// not a field of Settings, so that adding a setting touches one row only.
var SeedNames = map[string]string{
	"DATABASE_URL":          "`DATABASE_URL` (Step 7, password mode)",
	"USE_POSTGRES_MI":       "`USE_POSTGRES_MI`",
	"LOCAL_MODE":            "`LOCAL_MODE`",
	"POSTGRES_HOST":         "`POSTGRES_HOST` (`$POSTGRES_SERVER.postgres.database.azure.com`)",
	"POSTGRES_DB":           "`POSTGRES_DB`",
	"POSTGRES_USER":         "`POSTGRES_USER` (the identity's name, `titiler-db-access`)",
	"POSTGRES_PORT":         "`POSTGRES_PORT`",
	"AZURE_CLIENT_ID":       "`MI_CLIENT_ID` (Step 1)",
	"POSTGRES_SSLMODE":      "`sslmode=require` in its connection string",
	"AZURE_STORAGE_ACCOUNT": "`AZURE_STORAGE_ACCOUNT`",
	"USE_AZURE_AUTH":        "`USE_AZURE_AUTH`",
}
