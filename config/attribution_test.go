package config

import (
	"strings"
	"testing"
)

// The attribution and identity keys of issue #4: defaults and checks.
func TestAttributionKeys(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte("attribution:\n  path_transforms: [exposure, remove_if_last_and_not_all(Direct), trim_long(4)]\n"+
		"  conversion_window_start: \"2022-06-03\"\n  conversion_window_end: \"2022-08-01\"\n"), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if c.Attribution.UnattributedChannel != "(unattributed)" || c.Identity.MaxComponentSize != 1000 {
		t.Errorf("defaults: unattributed %q, max component size %d", c.Attribution.UnattributedChannel, c.Identity.MaxComponentSize)
	}
	if len(c.Attribution.PathTransforms) != 3 || c.Attribution.ConversionWindowEnd != "2022-08-01" {
		t.Errorf("parsed %+v", c.Attribution)
	}
	for text, want := range map[string]string{
		"attribution:\n  path_transforms: [shuffle]\n":                                                       "unknown path transform",
		"attribution:\n  path_transforms: [trim_long(0)]\n":                                                  "trim_long",
		"attribution:\n  conversion_window_start: 2022-13-01\n":                                              "not a date",
		"attribution:\n  conversion_window_start: \"2022-08-02\"\n  conversion_window_end: \"2022-08-01\"\n": "is before",
		"attribution:\n  unattributed_channel: \" x\"\n":                                                     "spaces",
	} {
		_, err := Parse([]byte(text), t.TempDir())
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one containing %q", text, err, want)
		}
	}
}
