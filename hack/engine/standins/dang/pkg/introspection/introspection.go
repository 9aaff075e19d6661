// Package introspection stands in for Dang v2's with Dang v1's.
package introspection

import v1 "github.com/vito/dang/pkg/introspection"

type (
	Response = v1.Response
	Schema   = v1.Schema
	TypeRef  = v1.TypeRef
)

const (
	TypeKindNonNull = v1.TypeKindNonNull
	TypeKindObject  = v1.TypeKindObject
)
