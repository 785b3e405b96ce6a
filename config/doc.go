// Package config reads attrib.yaml: the warehouse, sources, channel rules,
// attribution and evaluation settings, jobs and serving. Decoding is strict
// (an unknown key is an error naming its line), ${VAR} is read from the
// environment, and paths are resolved relative to the config file.
package config
