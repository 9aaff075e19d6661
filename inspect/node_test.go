package inspect

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNodeMajor(t *testing.T) {
	tests := []struct {
		spec   string
		major  int
		parsed bool
	}{
		{"22", 22, true},
		{"v20.11.1", 0, true}, // Node 20 is past its end of life
		{"20.x", 0, true},
		{"22.*", 22, true},
		{"*", 24, true},
		{"x", 24, true},
		{">=20.9", 24, true},
		{">= 20.9.0", 24, true},
		{">=18.17.0", 24, true},
		{">=21", 24, true},
		{">20", 24, true},
		{">=22 <23", 22, true},
		{"<21", 0, true},
		{"<=22", 22, true},
		{"<23", 22, true},
		{"<20", 0, true},
		{"^20.11.0", 0, true},
		{"^22", 22, true},
		{"~22.3.0", 22, true},
		{"~24", 24, true},
		{"~>22.1", 22, true},
		{"^18.18.0 || ^19.8.0 || >= 20.0.0", 24, true},
		{"^18 || ^22", 22, true},
		{"20 - 24", 24, true},
		{"21 - 22", 22, true},
		{"=24.0.0", 24, true},
		{"24.1.0-rc.1", 24, true},
		{"18", 0, true},
		{">=26", 0, true},
		{"^0.12", 0, true},
		{"lts/iron", 0, true},
		{"lts/jod", 22, true},
		{"lts/krypton", 24, true},
		{"lts/hydrogen", 0, true},
		{"lts/*", 0, false},
		{"node", 0, false},
		{"latest", 0, false},
		{"", 0, false},
		{">=twenty", 0, false},
		{"20 ||", 24, true},
	}
	for _, tt := range tests {
		major, parsed := NodeMajor(tt.spec)
		assert.Equal(t, tt.major, major, "major of %q", tt.spec)
		assert.Equal(t, tt.parsed, parsed, "parsed %q", tt.spec)
	}
}

func TestNodeSources(t *testing.T) {
	noEngines := `{"name":"shop","dependencies":{"next":"15"}}`
	tests := []struct {
		name    string
		changes map[string]string
		want    Node
		code    string
	}{
		{"engines.node", nil, Node{Version: "22", Major: 22, Source: SourceEngines}, ""},
		{"engines wins over .nvmrc", map[string]string{".nvmrc": "20\n"}, Node{Version: "22", Major: 22, Source: SourceEngines}, ""},
		{".nvmrc", map[string]string{"package.json": noEngines, ".nvmrc": "# pinned\nv24.2.0 # current\n"}, Node{Version: "v24.2.0", Major: 24, Source: SourceNvmrc}, ""},
		{".nvmrc wins over .node-version", map[string]string{"package.json": noEngines, ".nvmrc": "24", ".node-version": "22"}, Node{Version: "24", Major: 24, Source: SourceNvmrc}, ""},
		{".node-version", map[string]string{"package.json": noEngines, ".node-version": "22.12.0\n"}, Node{Version: "22.12.0", Major: 22, Source: SourceNodeVersion}, ""},
		{"empty .nvmrc falls through", map[string]string{"package.json": noEngines, ".nvmrc": "\n", ".node-version": "22"}, Node{Version: "22", Major: 22, Source: SourceNodeVersion}, ""},
		{"node 20 is past its end of life", map[string]string{"package.json": noEngines, ".nvmrc": "20"}, Node{Version: "20", Source: SourceNvmrc}, CodeNodeUnsupported},
		{"nothing", map[string]string{"package.json": noEngines}, Node{}, CodeNoNodeVersion},
		{"lts/* is unknown", map[string]string{"package.json": noEngines, ".nvmrc": "lts/*"}, Node{Version: "lts/*", Source: SourceNvmrc}, CodeNodeUnknown},
		{"node 18 is unsupported", map[string]string{"package.json": `{"engines":{"node":"^18.17"},"dependencies":{"next":"14"}}`}, Node{Version: "^18.17", Source: SourceEngines}, CodeNodeUnsupported},
		{"engines that are not a string are ignored", map[string]string{"package.json": `{"engines":{"node":20},"dependencies":{"next":"14"}}`}, Node{}, CodeNoNodeVersion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := inspectAt(t, with(baseApp(), tt.changes), ".")
			assert.Equal(t, tt.want, app.Node)
			if tt.code == "" {
				for _, c := range []string{CodeNoNodeVersion, CodeNodeUnknown, CodeNodeUnsupported} {
					assert.NotContains(t, codes(app), c)
				}
			} else {
				w := warning(t, app, tt.code)
				assert.NotEmpty(t, w.Fix)
				assert.False(t, w.Blocking, "the default base image still builds")
			}
		})
	}
}

func TestNodeSatisfies(t *testing.T) {
	for _, tc := range []struct {
		spec  string
		major int
		want  bool
	}{
		{">=20.9", 22, true},
		{">=20.9", 20, true},
		{"^20.11", 22, false},
		{"20", 22, false},
		{"22.x", 22, true},
		{"lts/*", 22, true}, // unreadable: anything goes
		{">=24", 22, false},
	} {
		assert.Equal(t, tc.want, NodeSatisfies(tc.spec, tc.major), "NodeSatisfies(%q, %d)", tc.spec, tc.major)
	}
}
