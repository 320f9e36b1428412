// Package packagecold times the packaged app's cold start in the bare
// Debian root of scripts/verify-package.sh: exec of the launcher to the
// first 200 tile, in managed-identity mode with the token from the local
// endpoint (testenv.TokenServer). Its one test runs only from that script
// (build tag verifypackage), which has made the root, the app and the
// database.
package packagecold
