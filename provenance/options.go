package provenance

import (
	"encoding/json"
	"fmt"

	"github.com/slipwayhq/slipway/plan"
)

// Options are the plan options that shaped the image, with their defaults
// filled in: what a rebuild must pass to get the same image. The source
// URL and revision are left out here; they are the source parameter. It
// goes through the options' own JSON, so an option added to the plan is
// recorded without a change here. Secrets are never plan options.
func Options(o plan.Options) (map[string]any, error) {
	o, err := o.WithDefaults()
	if err != nil {
		return nil, fmt.Errorf("provenance: options: %w", err)
	}
	o.Release.URL, o.Release.Revision = "", ""
	raw, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	if rel, ok := m["release"].(map[string]any); ok && len(rel) == 0 {
		delete(m, "release")
	}
	return m, nil
}
