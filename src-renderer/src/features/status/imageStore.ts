/** Guest image build progress (`image.progress`): the first start of a board builds it. */
import { create } from 'zustand';
import type { EventPayload } from '../../../../src-shared/contract';

export type ImageProgress = EventPayload<'image.progress'>;

export interface ImageState {
  progress: Record<string, ImageProgress>;
  update(p: ImageProgress): void;
}

export const useImage = create<ImageState>((set) => ({
  progress: {},
  update: (p) => set((st) => ({ progress: { ...st.progress, [p.board]: p } })),
}));
