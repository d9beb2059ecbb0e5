import { Config } from '@backstage/config';
import {
  Entity,
  getCompoundEntityRef,
  parseEntityRef,
} from '@backstage/catalog-model';
import { AlphaEntity, EntityStatusItem } from '@backstage/catalog-model/alpha';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  LocationSpec,
  processingResult,
} from '@backstage/plugin-catalog-node';
import {
  ACCESS_RELATIONS,
  computeAccessEntries,
  hasReadGrant,
  kindSubjectRef,
  normalizeAnnotationPrefixes,
  readOwnerOfConfig,
} from '@portico/plugin-owner-of-common';

/** The status item type the entity page's processing-errors panel shows. */
const CATALOG_PROCESSING_STATUS_TYPE = 'backstage.io/catalog-processing';

/**
 * Emits `readableBy`, `deletableBy` and `refreshableBy` relations from each
 * entity to the users and groups that may act on it: its owner (all three),
 * itself when it is a User or Group (read), and the subjects of its grant
 * annotations (exactly the listed actions). Every entity without a read
 * grant annotation is also `readableBy` the virtual subject of its kind
 * (`kindSubjectRef`), which the policy adds to every user's read claims for
 * the public kinds.
 *
 * The catalog indexes relations as `relations.<type>` search rows, so the
 * permission rule that checks them compiles to one indexed lookup.
 *
 * Malformed grants do not fail processing (a processing error keeps the
 * entity out of the catalog); they are written to the entity's
 * `status.items`, which the entity page shows as processing problems.
 *
 * @public
 */
export class AccessRelationsProcessor implements CatalogProcessor {
  private readonly annotationPrefixes: string[];

  static fromConfig(config: Config): AccessRelationsProcessor {
    return new AccessRelationsProcessor({
      annotationPrefixes: readOwnerOfConfig(config).annotationPrefixes,
    });
  }

  constructor(options: { annotationPrefixes: readonly string[] }) {
    this.annotationPrefixes = normalizeAnnotationPrefixes(
      options.annotationPrefixes,
    );
  }

  getProcessorName(): string {
    return 'AccessRelationsProcessor';
  }

  async postProcessEntity(
    entity: Entity,
    _location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    const { entries, problems } = computeAccessEntries(
      entity,
      this.annotationPrefixes,
    );

    const source = getCompoundEntityRef(entity);
    const emitted = new Set<string>();
    for (const entry of entries) {
      const target = parseEntityRef(entry.subjectRef);
      for (const action of entry.actions) {
        const type = ACCESS_RELATIONS[action];
        const key = `${type} ${entry.subjectRef}`;
        if (!emitted.has(key)) {
          emitted.add(key);
          emit(processingResult.relation({ source, type, target }));
        }
      }
    }

    // Emitted for every kind, not only the configured public ones, so that
    // changing which kinds are public needs no reprocessing; left off an entity
    // whose read grants restrict it to its owner and grantees.
    if (!hasReadGrant(entries)) {
      emit(
        processingResult.relation({
          source,
          type: ACCESS_RELATIONS.read,
          target: parseEntityRef(kindSubjectRef(entity.kind)),
        }),
      );
    }

    if (problems.length === 0) {
      return entity;
    }
    const current = entity as AlphaEntity;
    const items: EntityStatusItem[] = problems.map(message => ({
      type: CATALOG_PROCESSING_STATUS_TYPE,
      level: 'error',
      message,
      error: { name: 'InputError', message },
    }));
    const withStatus: AlphaEntity = {
      ...current,
      status: {
        ...current.status,
        items: [...(current.status?.items ?? []), ...items],
      },
    };
    return withStatus;
  }
}
