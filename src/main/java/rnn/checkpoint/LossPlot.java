package rnn.checkpoint;

import java.awt.Color;
import java.nio.file.Path;
import java.util.List;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import rnn.train.EpochResult;

/** The training and validation loss per epoch as a PNG, as the Keras tutorial saves its loss curve. */
public final class LossPlot {
    private static final int WIDTH = 800;
    private static final int HEIGHT = 500;

    private LossPlot() {
    }

    public static void write(Path file, List<EpochResult> history) {
        System.setProperty("java.awt.headless", "true");
        XYSeries train = new XYSeries("training loss");
        XYSeries validation = new XYSeries("validation loss");
        for (EpochResult r : history) {
            train.add(r.epoch(), r.trainLoss());
            if (r.validationLoss() != null) {
                validation.add(r.epoch(), r.validationLoss());
            }
        }
        XYSeriesCollection data = new XYSeriesCollection(train);
        if (validation.getItemCount() > 0) {
            data.addSeries(validation);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Loss per epoch", "epoch", "loss (nats per token)", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        AtomicFiles.write(file, out -> ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT));
    }
}
