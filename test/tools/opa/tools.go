//go:build tools

// Package opa pins the command test/tools/build-opa.sh builds: the module
// root of github.com/open-policy-agent/opa is OPA's CLI main package.
package opa

import _ "github.com/open-policy-agent/opa"
