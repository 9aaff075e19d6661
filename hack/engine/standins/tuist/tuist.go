// Package tuist stands in for the interactive terminal UI library that the
// Go module proxy does not serve. It compiles with dagger's callers and does
// nothing: run the CLI with --progress=plain.
package tuist

import (
	"context"
	"errors"
	"io"
	"time"

	uv "github.com/charmbracelet/ultraviolet"
)

// ErrUnavailable is returned where the real UI would start.
var ErrUnavailable = errors.New("the interactive terminal UI is not in this build: use --progress=plain")

// Context is what a component renders into.
type Context struct {
	context.Context
	Width  int
	Height int
}

func (c Context) Line(s string)           {}
func (c Context) Lines(s ...string)       {}
func (c Context) SetFocus(Component)      {}
func (c Context) ScreenHeight() int       { return 0 }
func (c Context) Resize(w, h int) Context { c.Width = w; return c }

// RenderResult is a rendered child.
type RenderResult struct {
	Lines []string
}

// Component renders itself.
type Component interface {
	Render(ctx Context)
}

type Focusable interface {
	Component
	SetFocused(ctx Context, focused bool)
}

type Interactive interface {
	Component
	HandleKeyPress(ctx Context, ev uv.KeyPressEvent) bool
}

type Mounter interface {
	OnMount(ctx Context)
}

type Dismounter interface {
	OnDismount()
}

// MouseEvent is a mouse event at a row and column of a component.
type MouseEvent struct {
	uv.MouseEvent
	Row, Col int
}

type MouseEnabled interface {
	HandleMouse(ctx Context, ev MouseEvent) bool
}

type Hoverable interface {
	SetHovered(ctx Context, hovered bool)
}

// Compo is embedded by components.
type Compo struct{}

func (c *Compo) Update()                                           {}
func (c *Compo) RenderChild(ctx Context, child Component) []string { return nil }
func (c *Compo) RenderChildResult(ctx Context, child Component) RenderResult {
	return RenderResult{}
}
func (c *Compo) RenderChildInline(ctx Context, child Component) string { return "" }

// Container holds children.
type Container struct {
	Compo
	Children []Component
}

func (c *Container) Render(ctx Context)       {}
func (c *Container) AddChild(ch Component)    { c.Children = append(c.Children, ch) }
func (c *Container) RemoveChild(ch Component) {}

type Terminal interface{}

func NewStdTerminal() Terminal { return nil }

type TUI struct {
	Container
}

func New(t Terminal) *TUI                                                { return &TUI{} }
func (t *TUI) Start() error                                              { return ErrUnavailable }
func (t *TUI) Stop()                                                     {}
func (t *TUI) Dispatch(fn func())                                        {}
func (t *TUI) SetFocus(c Component)                                      {}
func (t *TUI) SetShowHardwareCursor(bool)                                {}
func (t *TUI) SetDebugWriter(w io.Writer)                                {}
func (t *TUI) RequestRender(repaint bool)                                {}
func (t *TUI) RenderLines() []string                                     { return nil }
func (t *TUI) ShowOverlay(c Component, o *OverlayOptions) *OverlayHandle { return &OverlayHandle{} }
func (t *TUI) Exec(fn func(in io.Reader, out io.Writer, errOut io.Writer) error) error {
	return ErrUnavailable
}

type SizeValue struct{ abs int }

func SizeAbs(n int) SizeValue { return SizeValue{abs: n} }

type Anchor int

const AnchorTopRight Anchor = 1

type OverlayMargin struct{ Top, Right, Bottom, Left int }

type OverlayOptions struct {
	Width  SizeValue
	Anchor Anchor
	Margin OverlayMargin
}

type OverlayHandle struct{}

func (h *OverlayHandle) Remove() {}

type TextInput struct {
	Compo
	Prompt         string
	OnSubmit       func(ctx Context, value string) bool
	KeyInterceptor func(ctx Context, ev uv.KeyPressEvent) bool
	value          string
}

func NewTextInput(v string) *TextInput                                    { return &TextInput{value: v} }
func (t *TextInput) Render(ctx Context)                                   {}
func (t *TextInput) Value() string                                        { return t.value }
func (t *TextInput) SetValue(v string)                                    { t.value = v }
func (t *TextInput) InsertRune(r rune)                                    { t.value += string(r) }
func (t *TextInput) HandleKeyPress(ctx Context, ev uv.KeyPressEvent) bool { return false }

type Completion struct {
	Label       string
	Value       string
	Detail      string
	Description string
}

type CompletionResult struct {
	Items       []Completion
	ReplaceFrom int
}

type CompletionMenu struct {
	Compo
}

func NewCompletionMenu(in *TextInput, fn func(input string, cursorPos int) CompletionResult) *CompletionMenu {
	return &CompletionMenu{}
}
func (m *CompletionMenu) Render(ctx Context)                                   {}
func (m *CompletionMenu) HandleKeyPress(ctx Context, ev uv.KeyPressEvent) bool { return false }

type Spinner struct {
	Compo
	Epoch time.Time
}

func NewSpinner() *Spinner            { return &Spinner{} }
func (s *Spinner) Render(ctx Context) {}
