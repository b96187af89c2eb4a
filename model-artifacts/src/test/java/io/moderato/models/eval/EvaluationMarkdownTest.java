package io.moderato.models.eval;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EvaluationMarkdownTest {

    @Test
    void shouldWriteOneTableRowPerCallWithEmptyCellsKept() {
        StringBuilder s = new StringBuilder("| a | b | c |\n|---|---:|---|\n");
        EvaluationMarkdown.tableRow(s, "words+chars", 0.8780, "");
        EvaluationMarkdown.tableRow(s, "split", "80/20, seed " + 42, "**chosen**");
        assertThat(s.toString())
                .isEqualTo(
                        "| a | b | c |\n|---|---:|---|\n| words+chars | 0.878 |  |\n| split | 80/20, seed 42 | **chosen** |\n");
    }
}
