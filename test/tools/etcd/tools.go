//go:build tools

// Package etcd pins the command test/tools/build.sh builds.
package etcd

import _ "go.etcd.io/etcd/server/v3"
