"""Plain text from sanitized summaries, and the rule-based sentence splitter."""

from rabkor.core.text.html import paragraphs
from rabkor.core.text.sentences import split_sentences


def test_summary_html_becomes_paragraph_lines():
    html = "<p>Strike <b>today</b> &amp; tomorrow.</p><p>Two<br>lines &lt;here&gt;</p>"
    assert paragraphs(html) == "Strike today & tomorrow.\nTwo\nlines <here>"


def test_plain_text_passes_through():
    assert paragraphs("  Just   text ") == "Just text"


def test_rule_based_splitter_keeps_sentences_whole():
    text = 'He said "Go!" Then he left. Was it 3.5 km? 他走了。她来了！'
    assert split_sentences(text) == ['He said "Go!"', "Then he left.", "Was it 3.5 km?",
                                     "他走了。", "她来了！"]
