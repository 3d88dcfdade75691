// autoscaling/v2 HorizontalPodAutoscaler (stored shape), and autoscaling/v1 served from it.
import { HPA_V1, hpaFromV1, hpaToV1 } from '../../api/autoscaling';
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultHorizontalPodAutoscaler } from '../defaults/horizontalpodautoscaler';
import { autoscalingDefs } from '../schema/defs-autoscaling';
import { horizontalPodAutoscalerPrinter } from '../tables/horizontalpodautoscalers';
import {
  validateHorizontalPodAutoscaler,
  validateHorizontalPodAutoscalerUpdate,
} from '../validate/horizontalpodautoscaler';

const strategy = defineStrategy(
  validateHorizontalPodAutoscaler,
  validateHorizontalPodAutoscalerUpdate,
  { defaults: defaultHorizontalPodAutoscaler, hasStatus: true, tracksGeneration: true },
);

export const horizontalpodautoscalers: ResourceDefinition = {
  info: builtin('autoscaling', 'v2', 'horizontalpodautoscalers'),
  strategy,
  printer: horizontalPodAutoscalerPrinter,
  schemas: autoscalingDefs,
  wakes: { controllers: { except: ['status'] } },
};

/** kubectl 1.32's `autoscale` creates autoscaling/v1 objects. */
export const horizontalpodautoscalersV1: ResourceDefinition = {
  info: builtin('autoscaling', 'v1', 'horizontalpodautoscalers'),
  strategy,
  printer: {
    columns: horizontalPodAutoscalerPrinter.columns,
    cells: (o, now) =>
      horizontalPodAutoscalerPrinter.cells(o.apiVersion === HPA_V1 ? hpaFromV1(o) : o, now),
  },
  schemas: autoscalingDefs,
  wakes: { controllers: { except: ['status'] } },
  view: { toView: hpaToV1, fromView: hpaFromV1 },
};
