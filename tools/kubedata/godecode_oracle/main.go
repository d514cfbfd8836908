// The Go decoder as kube-apiserver runs it, asked about JSON bodies: one JSON line in ({"kind":
// "Deployment"|"Secret"|"ConfigMap"|"Lease"|"time"|"microtime"|"base64", "body": text}), one out
// ({"error": text or null}). A dev tool for ../godecode_fixtures.py; not shipped.
package main

import (
	"bufio"
	"encoding/base64"
	gojson "encoding/json"
	"fmt"
	"os"
	"time"

	"oracle/v1"
	kjson "sigs.k8s.io/json"
)

type input struct {
	Kind string `json:"kind"`
	Body string `json:"body"`
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	for in.Scan() {
		var c input
		if err := gojson.Unmarshal(in.Bytes(), &c); err != nil {
			panic(err)
		}
		var into interface{}
		switch c.Kind {
		case "Deployment":
			into = &v1.Deployment{}
		case "Secret":
			into = &v1.Secret{}
		case "ConfigMap":
			into = &v1.ConfigMap{}
		case "Lease":
			into = &v1.Lease{}
		case "time", "microtime":
			layout := time.RFC3339
			if c.Kind == "microtime" {
				layout = "2006-01-02T15:04:05.000000Z07:00"
			}
			_, err := time.Parse(layout, c.Body)
			report(err)
			continue
		case "base64":
			_, err := base64.StdEncoding.DecodeString(c.Body)
			report(err)
			continue
		}
		_, err := kjson.UnmarshalStrict([]byte(c.Body), into, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
		report(err)
	}
}

func report(err error) {
	b, _ := gojson.Marshal(map[string]interface{}{"error": errText(err)})
	fmt.Println(string(b))
}

func errText(err error) interface{} {
	if err == nil {
		return nil
	}
	return err.Error()
}
