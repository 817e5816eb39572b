package web

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// tableRows returns the text of each cell of each row in the tbody (or tfoot
// when foot is true) of the table with id.
func tableRows(t *testing.T, body, id string, foot bool) [][]string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	table := find(doc, func(n *html.Node) bool { return n.Data == "table" && attr(n, "id") == id })
	if table == nil {
		t.Fatalf("no table #%s in:\n%s", id, body)
	}
	section := "tbody"
	if foot {
		section = "tfoot"
	}
	var rows [][]string
	for sec := table.FirstChild; sec != nil; sec = sec.NextSibling {
		if sec.Type != html.ElementNode || sec.Data != section {
			continue
		}
		for tr := sec.FirstChild; tr != nil; tr = tr.NextSibling {
			if tr.Type != html.ElementNode || tr.Data != "tr" {
				continue
			}
			var cells []string
			for td := tr.FirstChild; td != nil; td = td.NextSibling {
				if td.Type == html.ElementNode && (td.Data == "td" || td.Data == "th") {
					cells = append(cells, strings.Join(strings.Fields(text(td)), " "))
				}
			}
			rows = append(rows, cells)
		}
	}
	return rows
}

func find(n *html.Node, match func(*html.Node) bool) *html.Node {
	if n.Type == html.ElementNode && match(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if found := find(c, match); found != nil {
			return found
		}
	}
	return nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(text(c))
	}
	return b.String()
}
