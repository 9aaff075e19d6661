// Package dang stands in for Dang v2, which the Go module proxy does not
// serve. Its types are those of Dang v1 (which is served); loading a v2
// module fails with ErrUnavailable.
package dang

import (
	"context"
	"errors"

	v1 "github.com/vito/dang/pkg/dang"
)

// ErrUnavailable is returned wherever Dang v2 code would be evaluated.
var ErrUnavailable = errors.New("Dang v2 SDK is not available in this build")

type (
	BoolValue            = v1.BoolValue
	ConstructorFunction  = v1.ConstructorFunction
	DirectiveApplication = v1.DirectiveApplication
	EnumValue            = v1.EnumValue
	FieldDecl            = v1.FieldDecl
	FunCall              = v1.FunCall
	GraphQLFunction      = v1.GraphQLFunction
	GraphQLValue         = v1.GraphQLValue
	ImportConfig         = v1.ImportConfig
	IntValue             = v1.IntValue
	Keyed[X any]         = v1.Keyed[X]
	ListType             = v1.ListType
	ListValue            = v1.ListValue
	MapType              = v1.MapType
	MapValue             = v1.MapValue
	Node                 = v1.Node
	NullValue            = v1.NullValue
	Object               = v1.Object
	Record               = v1.Record
	RecordType           = v1.RecordType
	ScalarValue          = v1.ScalarValue
	Select               = v1.Select
	StringValue          = v1.StringValue
	Symbol               = v1.Symbol
	Type                 = v1.Type
	TypeScope            = v1.TypeScope
	Value                = v1.Value
	ValueNode            = v1.ValueNode
	ValueScope           = v1.ValueScope
)

const (
	BindingOriginLocal = v1.BindingOriginLocal
	EnumKind           = v1.EnumKind
	InterfaceKind      = v1.InterfaceKind
	PrivateVisibility  = v1.PrivateVisibility
	PublicVisibility   = v1.PublicVisibility
	ScalarKind         = v1.ScalarKind
)

var StringType = v1.StringType

func NewObject(mod TypeScope) *Object { return v1.NewObject(mod) }

func CreateOverlayValueScope(primary, lexical ValueScope) v1.OverlayValueScope {
	return v1.CreateOverlayValueScope(primary, lexical)
}

func ContextWithImportConfigs(ctx context.Context, configs ...ImportConfig) context.Context {
	return v1.ContextWithImportConfigs(ctx, configs...)
}

func RunDir(ctx context.Context, dir string, debug bool) (ValueScope, error) {
	return nil, ErrUnavailable
}

func DeclareDir(ctx context.Context, dir string, debug bool) (ValueScope, error) {
	return nil, ErrUnavailable
}

func EvalNode(ctx context.Context, scope ValueScope, node Node) (Value, error) {
	return nil, ErrUnavailable
}

func EvaluateFormsWithPhases(ctx context.Context, forms []Node, scope ValueScope) (Value, error) {
	return nil, ErrUnavailable
}
