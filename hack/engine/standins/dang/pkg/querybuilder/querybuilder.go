// Package querybuilder stands in for Dang v2's with Dang v1's.
package querybuilder

import v1 "github.com/vito/dang/pkg/querybuilder"

func Query() *v1.Selection { return v1.Query() }
