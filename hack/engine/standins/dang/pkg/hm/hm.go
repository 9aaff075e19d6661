// Package hm stands in for Dang v2's type package with Dang v1's.
package hm

import v1 "github.com/vito/dang/pkg/hm"

type (
	Type         = v1.Type
	FunctionType = v1.FunctionType
	NonNullType  = v1.NonNullType
)
