/**
 * A parcel as the rebalancer takes it, without its shape: its households and the building, compound, community
 * and block it belongs to (the super-units the rebalancer keeps whole, and the faces grids should follow).
 */
export interface UnitPlace {
  id: string;
  households: number;
  building: string | null;
  compound: string | null;
  community: string;
  block: string;
}
