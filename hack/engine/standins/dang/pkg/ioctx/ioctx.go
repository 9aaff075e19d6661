// Package ioctx stands in for Dang v2's with Dang v1's.
package ioctx

import (
	"context"
	"io"

	v1 "github.com/vito/dang/pkg/ioctx"
)

func StdoutToContext(ctx context.Context, w io.Writer) context.Context {
	return v1.StdoutToContext(ctx, w)
}

func StderrToContext(ctx context.Context, w io.Writer) context.Context {
	return v1.StderrToContext(ctx, w)
}
