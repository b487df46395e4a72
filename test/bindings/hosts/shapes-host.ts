/**
 * A typed host for the shapes and registry plugins: a host-implemented trait
 * (`Canvas`) given as a plain object, plugin-implemented trait objects, and
 * library-static handles (build/bindings/{shapes,registry}.d.ts).
 * Type-checked, then run for real.
 */
import { load } from '../../../host/index.ts';
import type { Bindings as ShapesBindings, Canvas, Shape } from '../../../build/bindings/shapes.js';
import type { Bindings as RegistryBindings, Registry, Static } from '../../../build/bindings/registry.js';
import type { Bindings as ConsumerBindings, Consumer } from '../../../build/bindings/consumer.js';

export async function runShapes(path: string) {
  const plugin = await load<ShapesBindings>(path, { name: 'shapes', imports: { 'rdylib-guest:shapes/canvas': {} } });
  const shapes = plugin.exports.shapes;
  const drawn: string[] = [];
  const canvas: Canvas.Canvas = {
    moveTo: (x, y) => void drawn.push(`move ${x},${y}`),
    lineTo: (x, y) => void drawn.push(`line ${x},${y}`),
    label: (text) => void drawn.push(text),
    resolution: () => 4,
    setStyle: (style) => void drawn.push(`style ${style.tag}`),
    background: () => ({ r: 0, g: 0, b: 0 }),
  };
  const square: Shape.Shape = shapes.rect(2, 2);
  const bounds: Shape.Bounds = square.transform({ tag: 'scale', val: 2 });
  const steps = shapes.render(square, canvas);
  const painted: Canvas.Style = shapes.paint(square, { tag: 'fill', val: { r: 0, g: 0, b: 0 } }, canvas);
  const total = shapes.totalArea([shapes.circle(1), square]);
  await plugin.unload();
  return { bounds, steps, painted, total, drawn };
}

export async function runRegistry(path: string) {
  const plugin = await load<RegistryBindings>(path, { name: 'registry' });
  const registry: Static<Registry.UnitRegistry> = plugin.exports.registry.registry();
  const metre: Static<Registry.Unit> | undefined = registry.find('m');
  const info: Registry.UnitInfo | undefined = metre?.info();
  const symbols = registry.all().map((u) => u.symbol());
  const km = registry.convert(1500, 'm', 'km');
  await plugin.unload();
  return { info, symbols, km };
}

/** Two typed plugins linked: the consumer's `shape` import is served by the shapes plugin, whose objects it takes. */
export async function runLinked(shapesPath: string, consumerPath: string) {
  const shapesPlugin = await load<ShapesBindings>(shapesPath, { name: 'shapes', imports: { 'rdylib-guest:shapes/canvas': {} } });
  const consumer = await load<ConsumerBindings>(consumerPath, { name: 'consumer', link: [shapesPlugin] });
  const shapes = shapesPlugin.exports.shapes;
  const summary: Consumer.Summary = consumer.exports.consumer.summarize([shapes.rect(1, 1), shapes.rect(3, 3)]);
  await consumer.unload();
  await shapesPlugin.unload();
  return summary;
}
