// Package teav1 stands in for tuist's bubbletea v1 adapter.
package teav1

import "github.com/vito/tuist"

// Wrap adapts a bubbletea model to a tuist component; here it does nothing.
type Wrap struct{ tuist.Compo }

func New(model any) *Wrap                { return &Wrap{} }
func (w *Wrap) OnQuit(fn func())         {}
func (w *Wrap) Render(ctx tuist.Context) {}
