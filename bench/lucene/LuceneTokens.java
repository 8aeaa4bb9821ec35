// Lucene 8's StandardTokenizer + LowerCaseFilter (StandardAnalyzer without stop words: ars's `standard` analyzer)
// on each line of a file, printed as one JSON array of tokens per line (non-ASCII as \\u escapes). Writes the
// expected tokens of test/fixtures/search/lucene-tokens.jsonl; see test/fixtures/search/make-lucene-tokens.mjs.
// Input lines are JSON strings ("…" with \\u escapes), so any character can be tested.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import org.apache.lucene.analysis.*;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

public class LuceneTokens {
  public static void main(String[] args) throws IOException {
    Analyzer analyzer = new StandardAnalyzer(CharArraySet.EMPTY_SET);
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, "UTF-8");
    for (String line : Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8)) {
      StringBuilder json = new StringBuilder("[");
      try (TokenStream ts = analyzer.tokenStream("contents", unquote(line))) {
        CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
        ts.reset();
        boolean first = true;
        while (ts.incrementToken()) {
          if (!first) json.append(',');
          first = false;
          json.append(quote(term.toString()));
        }
        ts.end();
      }
      out.println(json.append(']'));
    }
    out.flush();
  }

  /** A JSON string literal with only \\uXXXX, \\" and \\\\ escapes (what the generator writes). */
  static String unquote(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i < s.length() - 1; i++) {
      char c = s.charAt(i);
      if (c != '\\') { b.append(c); continue; }
      char e = s.charAt(++i);
      if (e == 'u') { b.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16)); i += 4; }
      else b.append(e);
    }
    return b.toString();
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20 || c > 0x7e) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }
}
