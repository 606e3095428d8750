package rnn.checkpoint;

import java.awt.Color;
import java.nio.file.Path;
import java.util.List;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import rnn.train.EpochResult;

/**
 * The training and validation loss per epoch as a PNG, as the Keras tutorial saves its loss
 * curve, and below it the validation accuracy (top-1 and top-5) when there is validation data.
 */
public final class LossPlot {
    private static final int WIDTH = 800;
    private static final int HEIGHT = 700;

    private LossPlot() {
    }

    public static void write(Path file, List<EpochResult> history) {
        System.setProperty("java.awt.headless", "true");
        XYSeries train = new XYSeries("training loss");
        XYSeries validation = new XYSeries("validation loss");
        XYSeries top1 = new XYSeries("validation accuracy (top-1)");
        XYSeries top5 = new XYSeries("validation accuracy (top-5)");
        for (EpochResult r : history) {
            train.add(r.epoch(), r.trainLoss());
            if (r.validationLoss() != null) {
                validation.add(r.epoch(), r.validationLoss());
            }
            if (r.validationAccuracy() != null) {
                top1.add(r.epoch(), r.validationAccuracy());
                top5.add(r.epoch(), r.validationTop5Accuracy());
            }
        }
        XYSeriesCollection losses = new XYSeriesCollection(train);
        if (validation.getItemCount() > 0) {
            losses.addSeries(validation);
        }
        NumberAxis epochs = new NumberAxis("epoch");
        epochs.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epochs);
        plot.setGap(12);
        plot.add(panel(losses, "loss (nats per token)", false), 3);
        if (top1.getItemCount() > 0) {
            XYSeriesCollection accuracy = new XYSeriesCollection(top1);
            accuracy.addSeries(top5);
            plot.add(panel(accuracy, "accuracy", true), 2);
        }
        JFreeChart chart = new JFreeChart("Loss and accuracy per epoch", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        AtomicFiles.write(file, out -> ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT));
    }

    private static XYPlot panel(XYSeriesCollection data, String label, boolean fromZero) {
        NumberAxis range = new NumberAxis(label);
        range.setAutoRangeIncludesZero(fromZero);
        XYPlot panel = new XYPlot(data, null, range, new XYLineAndShapeRenderer(true, true));
        panel.setBackgroundPaint(Color.WHITE);
        panel.setDomainGridlinePaint(Color.LIGHT_GRAY);
        panel.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return panel;
    }
}
